#include "telemetry/exporters/memory/recent_span_store.h"

#include <algorithm>
#include <system_error>
#include <optional>
#include <cmath>
#include <charconv>
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "common/text/percent_decode.h"
#include "common/log/log.h"
#include "telemetry/sdk/resource.h"
#include "telemetry/sdk/span_json.h"

namespace aura::telemetry::exporters {

bool RecentSpanStore::AdmitLocked(const sdk::SpanData& span) {
  const int64_t second = span.end_unix_nanos / 1'000'000'000;
  if (second > window_second_) {
    // A new second: the previous one's count sets the fraction (a gap of more
    // than a second means nothing arrived in between, i.e. low traffic).
    const uint64_t rate = second == window_second_ + 1 ? roots_in_window_ : 0;
    admit_fraction_ = rate > admit_traces_per_second_
                          ? static_cast<double>(admit_traces_per_second_) / static_cast<double>(rate)
                          : 1.0;
    window_second_ = second;
    roots_in_window_ = 0;
  }
  if (!span.HasParent() || span.parent_is_remote) ++roots_in_window_;
  if (admit_fraction_ >= 1.0 || span.status == StatusCode::kError) return true;
  // The random low half of the trace id, as a fraction of 2^64.
  uint64_t low = 0;
  for (size_t i = 8; i < 16; ++i) low = low << 8 | span.context.trace_id.bytes[i];
  return static_cast<double>(low) < admit_fraction_ * 18446744073709551616.0;
}

RecentSpanStore::Record RecentSpanStore::MakeRecord(const sdk::SpanData& span) {
  Record r;
  r.trace_id = span.context.trace_id;
  r.service = span.resource != nullptr ? span.resource->Get("service.name") : std::string();
  r.name = span.name;
  r.start = span.start_unix_nanos;
  r.end = span.end_unix_nanos;
  r.error = span.status == StatusCode::kError;
  r.root = !span.HasParent() || span.parent_is_remote;
  // Written into a buffer kept by the export thread, then copied at its exact
  // size: a string grown while writing keeps up to twice what it holds.
  thread_local std::string scratch;
  scratch.clear();
  sdk::AppendSpanJson(span, scratch);
  r.json = scratch;
  return r;
}

void RecentSpanStore::Add(const sdk::SpanData& span) {
  {
    std::lock_guard lock(mu_);
    if (!AdmitLocked(span)) {
      ++sampled_out_;
      return;
    }
  }
  Record r = MakeRecord(span);
  std::lock_guard lock(mu_);
  AppendLocked(std::move(r));
}

void RecentSpanStore::Add(std::span<const std::unique_ptr<sdk::SpanData>> spans) {
  // The sample is decided under one lock for the batch, the records are built
  // outside it (a /debug/traces query waits only for the appends).
  std::vector<const sdk::SpanData*> admitted;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : spans) {
      if (AdmitLocked(*s)) {
        admitted.push_back(s.get());
      } else {
        ++sampled_out_;
      }
    }
  }
  if (admitted.empty()) return;
  std::vector<Record> records;
  records.reserve(admitted.size());
  for (const sdk::SpanData* s : admitted) records.push_back(MakeRecord(*s));
  std::lock_guard lock(mu_);
  for (Record& r : records) AppendLocked(std::move(r));
}

void RecentSpanStore::AppendLocked(Record r) {
  records_.push_back(std::move(r));
  if (records_.size() > max_spans_) records_.pop_front();
}

uint64_t RecentSpanStore::sampled_out() const {
  std::lock_guard lock(mu_);
  return sampled_out_;
}

size_t RecentSpanStore::size() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

void RecentSpanStore::Clear() {
  std::lock_guard lock(mu_);
  records_.clear();
}

std::string RecentSpanStore::QueryJson(const TraceQuery& query) const {
  struct Trace {
    std::vector<const Record*> spans;
    std::set<std::string> services;
    int64_t start = INT64_MAX;
    int64_t end = 0;
    bool error = false;
    const Record* root = nullptr;
  };
  std::lock_guard lock(mu_);
  std::map<std::string, Trace> traces;
  for (const Record& r : records_) {
    std::string id = r.trace_id.ToHex();
    if (!query.trace_id.empty() && id != query.trace_id) continue;
    Trace& t = traces[std::move(id)];
    t.spans.push_back(&r);
    if (!r.service.empty()) t.services.insert(r.service);
    t.start = std::min(t.start, r.start);
    t.end = std::max(t.end, r.end);
    t.error = t.error || r.error;
    if (r.root && (t.root == nullptr || r.start < t.root->start)) t.root = &r;
  }
  std::vector<std::pair<const std::string*, const Trace*>> selected;
  for (const auto& [id, t] : traces) {
    double duration_ms = static_cast<double>(t.end - t.start) / 1e6;
    if (!query.service.empty() && !t.services.count(query.service)) continue;
    if (duration_ms < query.min_duration_ms) continue;
    if (query.errors_only && !t.error) continue;
    selected.emplace_back(&id, &t);
  }
  std::sort(selected.begin(), selected.end(),
            [](const auto& a, const auto& b) { return a.second->start > b.second->start; });
  if (selected.size() > query.limit) selected.resize(query.limit);

  std::string out = "{\"traces\":[";
  for (size_t i = 0; i < selected.size(); ++i) {
    const Trace& t = *selected[i].second;
    if (i > 0) out.push_back(',');
    out += "{\"trace_id\":\"" + *selected[i].first + "\",\"root\":";
    common::AppendJsonString(out, t.root != nullptr ? t.root->name : t.spans.front()->name);
    out += ",\"services\":[";
    bool first = true;
    for (const auto& s : t.services) {
      if (!first) out.push_back(',');
      first = false;
      common::AppendJsonString(out, s);
    }
    out += "],\"start_time_unix_nano\":" + std::to_string(t.start);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(t.end - t.start) / 1e6);
    out += ",\"duration_ms\":";
    out += buf;
    out += t.error ? ",\"error\":true" : ",\"error\":false";
    out += ",\"span_count\":" + std::to_string(t.spans.size()) + ",\"spans\":[";
    std::vector<const Record*> spans = t.spans;
    std::sort(spans.begin(), spans.end(), [](const Record* a, const Record* b) { return a->start < b->start; });
    for (size_t k = 0; k < spans.size(); ++k) {
      if (k > 0) out.push_back(',');
      out += spans[k]->json;
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

namespace {

bool IsTraceId(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (common::HexDigitValue(c) < 0) return false;
  }
  return true;
}

}  // namespace

common::Result<TraceQuery> ParseTraceQuery(std::string_view query) {
  TraceQuery q;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = common::PercentDecode(pair.substr(0, eq), {.plus_is_space = true});
    auto value = common::PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
                                       {.plus_is_space = true});
    if (!key || !value) return common::InvalidArgumentError("Malformed query string");
    if (*key == "trace_id") {
      if (!IsTraceId(*value)) return common::InvalidArgumentError("trace_id must be 32 hex digits");
      q.trace_id = *value;
      for (char& c : q.trace_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (*key == "service") {
      q.service = *value;
    } else if (*key == "min_duration_ms") {
      double ms = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), ms);
      if (ec != std::errc() || p != value->data() + value->size() || !std::isfinite(ms) || ms < 0) {
        return common::InvalidArgumentError("min_duration_ms must be a non-negative number");
      }
      q.min_duration_ms = ms;
    } else if (*key == "error") {
      if (*value == "true" || *value == "1") {
        q.errors_only = true;
      } else if (*value == "false" || *value == "0") {
        q.errors_only = false;
      } else {
        return common::InvalidArgumentError("error must be true or false");
      }
    } else if (*key == "limit") {
      size_t limit = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), limit);
      if (ec != std::errc() || p != value->data() + value->size() || limit < 1 || limit > 1000) {
        return common::InvalidArgumentError("limit must be an integer from 1 to 1000");
      }
      q.limit = limit;
    }
    // Unknown parameters are ignored (cache busters and the like).
  }
  return q;
}

namespace {
class RecentSpanStoreExporter final : public sdk::SpanExporter {
 public:
  explicit RecentSpanStoreExporter(std::shared_ptr<RecentSpanStore> store) : store_(std::move(store)) {}
  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept override {
    try {
      store_->Add(spans);
    } catch (...) {
    }
    return sdk::ExportResult::kSuccess;
  }
  bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }

 private:
  std::shared_ptr<RecentSpanStore> store_;
};
}  // namespace

std::unique_ptr<sdk::SpanExporter> MakeRecentSpanStoreExporter(std::shared_ptr<RecentSpanStore> store) {
  return std::make_unique<RecentSpanStoreExporter>(std::move(store));
}

}  // namespace aura::telemetry::exporters
