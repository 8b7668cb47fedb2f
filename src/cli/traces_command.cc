// `aura traces`: reads GET /debug/traces from aura-gateway (HTTP port) and
// aura-core (metrics port), merges the spans and prints them (cli/traces.h).
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <thread>
#include <utility>

#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "cli/traces.h"

namespace aura::cli {
namespace {

struct Source {
  std::string service;
  std::string base_url;
};

// The services' trace stores are per process, so a filter on one side would
// cut a trace whose other half qualifies. Filters run here, on the merged
// spans; with one, the services are asked for more traces to filter from.
bool HasFilters(const TracesOptions& o) {
  return !o.service.empty() || o.min_duration_ms > 0 || o.errors_only;
}

bool Keep(const TraceSummary& t, const TracesOptions& o) {
  // This command's own reads would otherwise crowd the list.
  if (t.root_name == "GET /debug/traces") return false;
  if (!o.service.empty() && std::find(t.services.begin(), t.services.end(), o.service) == t.services.end()) {
    return false;
  }
  if (t.duration_ms() < o.min_duration_ms) return false;
  return !o.errors_only || t.error;
}

// What the services' stores answered: the spans of each that answered, and
// one line for each that did not.
struct Fetched {
  std::vector<std::vector<TraceSpan>> spans;
  std::vector<std::pair<std::string, std::string>> problems;  // service, what went wrong
};

Fetched FetchAll(const std::vector<Source>& sources, const std::string& path) {
  Fetched out;
  for (const Source& src : sources) {
    GatewayClient client({.base_url = src.base_url, .timeout = std::chrono::milliseconds(5000)}, nullptr);
    auto reply = client.Get(path);
    std::string problem;
    if (!reply.ok()) {
      problem = "did not answer";
    } else if (reply->status != 200) {
      problem = "answered HTTP " + std::to_string(reply->status);
      std::string said = reply->body.substr(0, 200);
      std::replace(said.begin(), said.end(), '\n', ' ');
      if (!said.empty()) problem += " (" + said + ")";
    } else if (reply->json.is_null()) {
      problem = "answered something that is not JSON";
    } else {
      auto spans = ParseTraceSpans(reply->json);
      if (spans.ok()) {
        out.spans.push_back(std::move(*spans));
        continue;
      }
      problem = "answered an unexpected shape (" + spans.status().message() + ")";
    }
    std::string line = src.service;
    line.append(" at ").append(src.base_url).append(path).append(" ").append(problem);
    out.problems.emplace_back(src.service, std::move(line));
  }
  return out;
}

nlohmann::json SpansJson(const std::vector<TraceSpan>& spans) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& s : spans) a.push_back(s.raw);
  return a;
}

}  // namespace

std::string TracesQueryString(const TracesOptions& options) {
  if (!options.trace_id.empty()) return "?trace_id=" + options.trace_id;
  // Some room for the traces filtered out here (at least this command's own
  // earlier reads); the services accept 1..1000.
  int limit = HasFilters(options) ? std::max(options.limit * 10, 500) : options.limit + 50;
  limit = std::min(limit, 1000);
  return "?limit=" + std::to_string(limit);
}

int RunTraces(const CommandContext& ctx, const TracesOptions& options) {
  std::string core_url = options.core_metrics_url.empty()
                             ? "http://127.0.0.1:" + std::to_string(ctx.config.core.metrics_port)
                             : options.core_metrics_url;
  while (!core_url.empty() && core_url.back() == '/') core_url.pop_back();
  const std::vector<Source> sources = {{"aura-gateway", ctx.gateway_url}, {"aura-core", core_url}};
  const std::string path = "/debug/traces" + TracesQueryString(options);

  Fetched fetched = FetchAll(sources, path);
  // Spans reach a service's store with its batch processor's next export: at
  // most a quarter of a second in-process, five seconds with an exporter. A
  // trace asked for right after its request may not be there yet.
  auto has_trace = [&](const Fetched& f) {
    return !SpansOfTrace(MergeSpans(f.spans), options.trace_id).empty();
  };
  if (!options.trace_id.empty() && options.wait_seconds > 0 && !fetched.spans.empty() && !has_trace(fetched)) {
    *ctx.err << "trace " << options.trace_id << " is not among the recent spans yet; waiting up to "
             << options.wait_seconds << " s for the services' next batch export\n";
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(options.wait_seconds));
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      fetched = FetchAll(sources, path);
      if (has_trace(fetched)) break;
    }
  }
  std::vector<std::string> unavailable;
  for (const auto& [service, problem] : fetched.problems) {
    *ctx.err << ctx.err_style.Yellow("warning: ") << problem << "; its spans are left out\n";
    unavailable.push_back(service);
  }
  if (fetched.spans.empty()) {
    *ctx.err << ctx.err_style.Red("error: ")
             << "neither aura-gateway nor aura-core served /debug/traces (is the hive up? see `aura up`)\n";
    return 1;
  }
  std::vector<TraceSpan> merged = MergeSpans(fetched.spans);

  if (!options.trace_id.empty()) {
    std::vector<TraceSpan> spans = SpansOfTrace(merged, options.trace_id);
    if (spans.empty()) {
      *ctx.err << ctx.err_style.Red("error: ") << "trace " << options.trace_id << " not found in the recent spans of "
               << (unavailable.empty() ? "aura-gateway and aura-core" : "the services that answered")
               << " (they keep only the most recent spans; run `aura traces` to list them)\n";
      return 1;
    }
    if (ctx.json) {
      *ctx.out << nlohmann::json{{"trace_id", options.trace_id}, {"spans", SpansJson(spans)}}.dump(2) << "\n";
      return 0;
    }
    WaterfallOptions layout{.style = ctx.style, .bars = ctx.interactive};
    winsize ws{};
    if (ctx.interactive && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
      layout.max_line_width = ws.ws_col;
    }
    *ctx.out << FormatWaterfall(spans, layout);
    return 0;
  }

  std::vector<TraceSummary> traces;
  for (auto& t : GroupTraces(merged)) {
    if (Keep(t, options)) traces.push_back(std::move(t));
  }
  if (traces.size() > static_cast<size_t>(options.limit)) traces.resize(static_cast<size_t>(options.limit));
  if (ctx.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : traces) {
      out.push_back({{"trace_id", t.trace_id},
                     {"root", t.root_name},
                     {"services", t.services},
                     {"start_time_unix_nano", t.start_unix_nano},
                     {"duration_ms", t.duration_ms()},
                     {"error", t.error},
                     {"span_count", t.span_count},
                     {"spans", SpansJson(SpansOfTrace(merged, t.trace_id))}});
    }
    *ctx.out << nlohmann::json{{"traces", out}}.dump(2) << "\n";
    return 0;
  }
  if (traces.empty()) {
    *ctx.out << "no traces recorded yet (send a request, e.g. `aura agent negotiate hotel_alpha 850`)\n";
    return 0;
  }
  *ctx.out << FormatTraceList(traces, ctx.style)
           << ctx.style.Dim("aura traces <TRACE ID> shows one as a waterfall") << "\n";
  return 0;
}

}  // namespace aura::cli
