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
// with the newest traces first. Filters combine (AND):
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
#include <string>

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
  explicit RecentSpanStore(size_t max_spans = 4096) : max_spans_(max_spans) {}
  RecentSpanStore(const RecentSpanStore&) = delete;
  RecentSpanStore& operator=(const RecentSpanStore&) = delete;

  void Add(const sdk::SpanData& span);
  std::string QueryJson(const TraceQuery& query) const;
  size_t size() const;
  void Clear();

 private:
  struct Record {
    std::string trace_id;
    std::string service;
    std::string name;
    int64_t start = 0;
    int64_t end = 0;
    bool error = false;
    bool root = false;
    std::string json;
  };
  size_t max_spans_;
  mutable std::mutex mu_;
  std::deque<Record> records_;  // guarded by mu_, oldest first
};

// An exporter that copies every span into `store` (always succeeds).
std::unique_ptr<sdk::SpanExporter> MakeRecentSpanStoreExporter(std::shared_ptr<RecentSpanStore> store);

}  // namespace aura::telemetry::exporters
