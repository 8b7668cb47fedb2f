// File: telemetry/exporters/memory/recent_span_store.h
//
// RecentSpanStore: a bounded store of the most recent spans of this process,
// served by the services at /debug/traces and read by `aura traces`. Fed by an
// exporter (MakeRecentSpanStoreExporter) beside the OTLP one, so it costs the
// request path nothing. When full, the oldest spans go first.
//
//   std::shared_ptr<RecentSpanStore> store = tracing.recent_spans;   // from InstallTracing
//   std::string body = store->QueryJson({.trace_id = "4bf92f…", .min_duration_ms = 5});
//
// QueryJson returns
//   {"traces":[{"trace_id":"…","root":"POST /v1/negotiate","services":["aura-gateway","aura-core"],
//               "start_time_unix_nano":…,"duration_ms":12.5,"error":false,"span_count":7,
//               "spans":[<span objects, see sdk/span_json.h>, …]}, …]}
// with the newest traces first.
//
// Under load the store keeps a sample rather than every span: at 2 000
// requests/s of ~5 spans each, 4 096 spans would cover under half a second, and
// copying every span would cost the export thread more than the OTLP encoding.
// The rate is counted in traces: the local roots among the spans (a span with
// no parent, or with a parent in another process) that ended within one
// second, by the spans' own end times. Once more than `admit_traces_per_second`
// of them ended within a second, the next second admits a trace only when its
// trace id falls below the matching fraction of the id space. aura-gateway and
// aura-core see one local root per request each (the HTTP and the gRPC server
// span), so they compute the same fraction and keep the same traces whole,
// although the core makes more than twice as many spans a request. Counted in
// spans, the core kept a smaller share and a fifth of the gateway's traces
// under load had no core half. Spans with error status are always kept. At
// lower rates every span is kept. The default of 40 traces a second keeps about
// 15 s of a loaded hive in the core's 4 096 spans (seven spans a request) and
// 8 s in the gateway's 1 024 (three); building a span's JSON record costs
// several times its OTLP encoding, so the export thread pays for this rate
// only.
//
// Filters combine (AND):
//   trace_id  — exact 32-hex id;  service — any span of the trace has this service.name;
//   min_duration_ms — trace duration (first start to last end);  errors_only — some span
//   has status error;  limit — at most this many traces (default 20).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "telemetry/api/span_context.h"
#include "telemetry/sdk/span_exporter.h"

namespace aura::telemetry::exporters {

struct TraceQuery {
  std::string trace_id;
  std::string service;
  double min_duration_ms = 0;
  bool errors_only = false;
  size_t limit = 20;
};

class RecentSpanStore {
 public:
  explicit RecentSpanStore(size_t max_spans = 4096, uint64_t admit_traces_per_second = 40)
      : max_spans_(max_spans), admit_traces_per_second_(admit_traces_per_second) {}
  RecentSpanStore(const RecentSpanStore&) = delete;
  RecentSpanStore& operator=(const RecentSpanStore&) = delete;

  // Keeps `span` unless the sample described above leaves it out.
  void Add(const sdk::SpanData& span);
  // The same for each span of an exported batch, taking the lock twice in all.
  void Add(std::span<const std::unique_ptr<sdk::SpanData>> spans);
  // Spans offered to Add and left out by the sample, so far.
  uint64_t sampled_out() const;
  std::string QueryJson(const TraceQuery& query) const;
  size_t size() const;
  void Clear();

 private:
  // One kept span. Sized for thousands of them: the trace id stays binary and
  // the JSON has no spare capacity.
  struct Record {
    TraceId trace_id;
    std::string service;
    std::string name;
    int64_t start = 0;
    int64_t end = 0;
    bool error = false;
    bool root = false;
    std::string json;
  };
  static Record MakeRecord(const sdk::SpanData& span);
  // Appends `r`, dropping the oldest record beyond max_spans_ (mu_ held).
  void AppendLocked(Record r);
  // Whether to keep `span`, updating the rate estimate (mu_ held).
  bool AdmitLocked(const sdk::SpanData& span);

  size_t max_spans_;
  uint64_t admit_traces_per_second_;
  mutable std::mutex mu_;
  std::deque<Record> records_;  // guarded by mu_, oldest first
  // Rate estimate and sample threshold, guarded by mu_.
  int64_t window_second_ = 0;       // the second (of span end times) being counted
  uint64_t roots_in_window_ = 0;    // local roots offered in that second
  double admit_fraction_ = 1.0;     // fraction of trace ids admitted
  uint64_t sampled_out_ = 0;
};

// The TraceQuery of a `/debug/traces` query string (`trace_id=…&service=…&
// min_duration_ms=…&error=true&limit=…`, percent-encoded, '+' a space; unknown
// parameters ignored). InvalidArgument, naming the parameter, for a malformed
// escape, a trace_id that is not 32 hex digits, a negative or non-numeric
// min_duration_ms, an error other than true/false/1/0, or a limit outside 1–1000.
common::Result<TraceQuery> ParseTraceQuery(std::string_view query_string);

// An exporter that copies every span into `store` (always succeeds).
std::unique_ptr<sdk::SpanExporter> MakeRecentSpanStoreExporter(std::shared_ptr<RecentSpanStore> store);

}  // namespace aura::telemetry::exporters
