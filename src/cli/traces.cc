#include "cli/traces.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace aura::cli {
namespace {

int64_t NanosField(const nlohmann::json& span, const char* key) {
  auto it = span.find(key);
  if (it == span.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number()) return static_cast<int64_t>(it->get<double>());
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

std::string StringField(const nlohmann::json& span, const char* key) {
  auto it = span.find(key);
  return it != span.end() && it->is_string() ? it->get<std::string>() : std::string();
}

common::Result<TraceSpan> ParseSpan(const nlohmann::json& j) {
  if (!j.is_object()) return common::InvalidArgumentError("a span is not a JSON object");
  TraceSpan s;
  s.trace_id = StringField(j, "trace_id");
  s.span_id = StringField(j, "span_id");
  if (s.trace_id.empty() || s.span_id.empty()) {
    return common::InvalidArgumentError("a span has no trace_id or span_id");
  }
  s.parent_span_id = StringField(j, "parent_span_id");
  s.name = StringField(j, "name");
  s.service = StringField(j, "service");
  s.kind = StringField(j, "kind");
  s.start_unix_nano = NanosField(j, "start_time_unix_nano");
  s.end_unix_nano = std::max(NanosField(j, "end_time_unix_nano"), s.start_unix_nano);
  if (auto st = j.find("status"); st != j.end()) {
    if (st->is_object()) {
      s.error = StringField(*st, "code") == "error";
      s.status_description = StringField(*st, "description");
    } else if (st->is_string()) {
      s.error = st->get<std::string>() == "error";
    }
  }
  if (auto links = j.find("links"); links != j.end() && links->is_array()) {
    for (const auto& link : *links) {
      if (!link.is_object()) continue;
      std::string trace = StringField(link, "trace_id");
      if (!trace.empty() && trace != s.trace_id) s.linked_traces.push_back(std::move(trace));
    }
  }
  s.raw = j;
  return s;
}

common::Status AppendSpans(const nlohmann::json& array, std::vector<TraceSpan>& out) {
  if (!array.is_array()) return common::InvalidArgumentError("\"spans\" is not an array");
  for (const auto& j : array) {
    AURA_ASSIGN_OR_RETURN(TraceSpan s, ParseSpan(j));
    out.push_back(std::move(s));
  }
  return common::OkStatus();
}

bool StartsBefore(const TraceSpan& a, const TraceSpan& b) {
  if (a.start_unix_nano != b.start_unix_nano) return a.start_unix_nano < b.start_unix_nano;
  if (a.end_unix_nano != b.end_unix_nano) return a.end_unix_nano > b.end_unix_nano;  // outer first
  return a.span_id < b.span_id;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms >= 100 ? "%.0f ms" : "%.2f ms", ms);
  return buf;
}

}  // namespace

common::Result<std::vector<TraceSpan>> ParseTraceSpans(const nlohmann::json& body) {
  std::vector<TraceSpan> spans;
  if (body.is_array()) {
    AURA_RETURN_IF_ERROR(AppendSpans(body, spans));
    return spans;
  }
  if (!body.is_object()) return common::InvalidArgumentError("the answer is not a JSON object");
  if (auto t = body.find("traces"); t != body.end()) {
    if (!t->is_array()) return common::InvalidArgumentError("\"traces\" is not an array");
    for (const auto& trace : *t) {
      if (!trace.is_object() || !trace.contains("spans")) {
        return common::InvalidArgumentError("a trace has no \"spans\"");
      }
      AURA_RETURN_IF_ERROR(AppendSpans(trace["spans"], spans));
    }
    return spans;
  }
  if (auto s = body.find("spans"); s != body.end()) {
    AURA_RETURN_IF_ERROR(AppendSpans(*s, spans));
    return spans;
  }
  return common::InvalidArgumentError("the answer has neither \"traces\" nor \"spans\"");
}

std::vector<TraceSpan> MergeSpans(const std::vector<std::vector<TraceSpan>>& sources) {
  std::vector<TraceSpan> merged;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& source : sources) {
    for (const auto& s : source) {
      if (seen.emplace(s.trace_id, s.span_id).second) merged.push_back(s);
    }
  }
  std::stable_sort(merged.begin(), merged.end(), StartsBefore);
  return merged;
}

std::vector<TraceSummary> GroupTraces(const std::vector<TraceSpan>& spans) {
  std::map<std::string, std::vector<const TraceSpan*>> by_trace;
  for (const auto& s : spans) by_trace[s.trace_id].push_back(&s);
  std::vector<TraceSummary> out;
  for (const auto& [id, members] : by_trace) {
    TraceSummary t;
    t.trace_id = id;
    t.span_count = members.size();
    t.start_unix_nano = INT64_MAX;
    std::unordered_set<std::string> ids;
    for (const TraceSpan* s : members) ids.insert(s->span_id);
    std::set<std::string> services;
    const TraceSpan* root = nullptr;
    const TraceSpan* first = nullptr;
    for (const TraceSpan* s : members) {
      t.start_unix_nano = std::min(t.start_unix_nano, s->start_unix_nano);
      t.end_unix_nano = std::max(t.end_unix_nano, s->end_unix_nano);
      t.error = t.error || s->error;
      if (!s->service.empty()) services.insert(s->service);
      if (first == nullptr || StartsBefore(*s, *first)) first = s;
      bool is_root = s->parent_span_id.empty() || !ids.count(s->parent_span_id);
      if (is_root && (root == nullptr || StartsBefore(*s, *root))) root = s;
    }
    t.root_name = (root != nullptr ? root : first)->name;
    t.services.assign(services.begin(), services.end());
    out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(), [](const TraceSummary& a, const TraceSummary& b) {
    return a.start_unix_nano > b.start_unix_nano;
  });
  return out;
}

std::vector<TraceSpan> SpansOfTrace(const std::vector<TraceSpan>& spans, const std::string& trace_id) {
  std::vector<TraceSpan> out;
  for (const auto& s : spans) {
    if (s.trace_id == trace_id) out.push_back(s);
  }
  return out;
}

std::vector<WaterfallRow> BuildWaterfall(const std::vector<TraceSpan>& spans) {
  std::vector<const TraceSpan*> ordered;
  for (const auto& s : spans) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const TraceSpan* a, const TraceSpan* b) { return StartsBefore(*a, *b); });
  std::unordered_map<std::string, const TraceSpan*> by_id;
  for (const TraceSpan* s : ordered) by_id.emplace(s->span_id, s);
  std::unordered_map<const TraceSpan*, std::vector<const TraceSpan*>> children;
  std::vector<const TraceSpan*> roots;
  for (const TraceSpan* s : ordered) {
    auto parent = s->parent_span_id.empty() ? by_id.end() : by_id.find(s->parent_span_id);
    if (parent == by_id.end() || parent->second == s) {
      roots.push_back(s);
    } else {
      children[parent->second].push_back(s);  // stays in start order
    }
  }
  std::vector<WaterfallRow> rows;
  std::unordered_set<const TraceSpan*> placed;
  std::function<void(const TraceSpan*, int)> visit = [&](const TraceSpan* s, int depth) {
    if (!placed.insert(s).second) return;
    bool missing = !s->parent_span_id.empty() && !by_id.count(s->parent_span_id);
    rows.push_back({s, depth, missing});
    auto it = children.find(s);
    if (it == children.end()) return;
    for (const TraceSpan* c : it->second) visit(c, depth + 1);
  };
  for (const TraceSpan* r : roots) visit(r, 0);
  // Spans only reachable through a cycle of parent links: show them flat.
  for (const TraceSpan* s : ordered) {
    if (!placed.count(s)) visit(s, 0);
  }
  return rows;
}

std::string ScaleBar(int64_t start, int64_t end, int64_t trace_start, int64_t trace_end, int width) {
  if (width <= 0) return "";
  std::string bar(static_cast<size_t>(width), ' ');
  double total = static_cast<double>(trace_end - trace_start);
  int from = 0;
  int cells = width;
  if (total > 0) {
    from = static_cast<int>(std::floor(static_cast<double>(start - trace_start) / total * width));
    cells = static_cast<int>(std::lround(static_cast<double>(end - start) / total * width));
  }
  from = std::clamp(from, 0, width - 1);
  cells = std::clamp(cells, 1, width - from);
  for (int i = from; i < from + cells; ++i) bar[static_cast<size_t>(i)] = '#';
  return bar;
}

std::string FormatWaterfall(const std::vector<TraceSpan>& spans, const WaterfallOptions& options) {
  if (spans.empty()) return "";
  const Style& st = options.style;
  std::vector<WaterfallRow> rows = BuildWaterfall(spans);
  int64_t t0 = INT64_MAX;
  int64_t t1 = 0;
  std::set<std::string> services;
  size_t name_width = 4;
  size_t service_width = 7;
  size_t errors = 0;
  for (const auto& r : rows) {
    t0 = std::min(t0, r.span->start_unix_nano);
    t1 = std::max(t1, r.span->end_unix_nano);
    if (!r.span->service.empty()) services.insert(r.span->service);
    name_width = std::max(name_width, static_cast<size_t>(r.depth) * 2 + r.span->name.size());
    service_width = std::max(service_width, r.span->service.size());
    errors += r.span->error ? 1 : 0;
  }
  name_width = std::min<size_t>(name_width, 60);
  int bar_width = options.bar_width;
  if (options.max_line_width > 0) {
    // name, service, "  1234567.89 ms", "  |", "|"
    int used = static_cast<int>(name_width + 2 + service_width + 2 + 13 + 3 + 1);
    bar_width = std::clamp(options.max_line_width - used, 10, std::max(10, bar_width));
  }
  std::string out;
  out += st.Bold("trace " + spans.front().trace_id) + "  " + FormatClock(t0) + " UTC  " +
         Ms(static_cast<double>(t1 - t0) / 1e6) + "  " + std::to_string(rows.size()) + " spans";
  std::string list;
  for (const auto& s : services) list += (list.empty() ? "" : ", ") + s;
  if (!list.empty()) out += "  (" + list + ")";
  if (errors > 0) out += "  " + st.Red(std::to_string(errors) + " error" + (errors > 1 ? "s" : ""));
  out += "\n";
  for (const auto& r : rows) {
    const TraceSpan& s = *r.span;
    std::string name = std::string(static_cast<size_t>(r.depth) * 2, ' ') + s.name;
    std::string line = Pad(name, name_width) + "  " + Pad(s.service.empty() ? "?" : s.service, service_width) +
                       "  ";
    char ms[32];
    std::snprintf(ms, sizeof ms, "%10.2f ms", s.duration_ms());
    line += ms;
    if (options.bars) {
      std::string bar = ScaleBar(s.start_unix_nano, s.end_unix_nano, t0, t1, bar_width);
      if (st.enabled()) {
        // Solid blocks on a colour terminal, red for an error.
        size_t first = bar.find('#');
        size_t last = bar.find_last_of('#');
        std::string blocks;
        for (size_t i = first; i <= last; ++i) blocks += "\u2588";
        bar = bar.substr(0, first) + (s.error ? st.Red(blocks) : st.Cyan(blocks)) + bar.substr(last + 1);
      }
      line += "  |" + bar + "|";
    }
    if (s.error) {
      line += "  " + st.Red("ERROR") + (s.status_description.empty() ? "" : " " + s.status_description);
    }
    if (r.parent_missing) line += "  " + st.Dim("(parent " + s.parent_span_id + " not found)");
    for (const std::string& linked : s.linked_traces) line += "  " + st.Dim("(link: trace " + linked + ")");
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FormatTraceList(const std::vector<TraceSummary>& traces, const Style& style) {
  std::string out;
  size_t root_width = 4;
  size_t services_width = 8;
  std::vector<std::string> service_lists;
  for (const auto& t : traces) {
    std::string list;
    for (const auto& s : t.services) list += (list.empty() ? "" : ",") + s;
    service_lists.push_back(list);
    root_width = std::max(root_width, t.root_name.size());
    services_width = std::max(services_width, list.size());
  }
  root_width = std::min<size_t>(root_width, 40);
  out += style.Bold(Pad("TIME (UTC)", 12) + "  " + Pad("TRACE ID", 32) + "  " + Pad("ROOT", root_width) + "  " +
                    Pad("SERVICES", services_width) + "  SPANS    DURATION") +
         "\n";
  for (size_t i = 0; i < traces.size(); ++i) {
    const TraceSummary& t = traces[i];
    char tail[64];
    std::snprintf(tail, sizeof tail, "%5zu  %10.2f ms", t.span_count, t.duration_ms());
    std::string line = Pad(FormatClock(t.start_unix_nano), 12) + "  " + Pad(t.trace_id, 32) + "  " +
                       Pad(t.root_name, root_width) + "  " + Pad(service_lists[i], services_width) + "  " +
                       tail;
    if (t.error) line += "  " + style.Red("ERROR");
    out += line + "\n";
  }
  return out;
}

std::string FormatClock(int64_t unix_nano) {
  std::time_t secs = static_cast<std::time_t>(unix_nano / 1'000'000'000);
  int millis = static_cast<int>((unix_nano % 1'000'000'000) / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

common::Result<std::string> NormalizeTraceId(const std::string& text) {
  std::string id = text;
  bool ok = id.size() == 32;
  for (char& c : id) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ok = ok && std::isxdigit(static_cast<unsigned char>(c));
  }
  if (!ok) return common::InvalidArgumentError("'" + text + "' is not a trace id (32 hex digits)");
  return id;
}

}  // namespace aura::cli
