// File: core/observability.h
//
// CoreObservability: everything that makes aura-core observable besides the
// spans the services start themselves — one common::MetricsRegistry with the
// fixed instrument families (aura_grpc_server_*, aura_db_client_*,
// aura_negotiation_*, aura_llm_*, the vital signs, the tracing pipeline's
// counters), a storage::StatementObserver that turns every SQL statement into
// a CLIENT span and a DB metric, and the metrics HTTP server:
//   GET /metrics       Prometheus text (common::kMetricsContentType)
//   GET /healthz       {"status":"ok"} while the process runs
//   GET /readyz        200 while `ready()` says so (storage answers), else 503
//   GET /debug/traces  recent spans: ?trace_id=&service=&min_duration_ms=&error=1&limit=
//
//   CoreObservability obs({.recent_spans = tracing.recent_spans, .tracing_health = tracing.health});
//   AURA_ASSIGN_OR_RETURN(auto store, OpenCoreStore(config, obs.StatementObserverFor(config)));
//   obs.WatchNegotiations(*store);
//   parts.observability = &obs;             // CoreServer feeds gRPC + negotiation metrics
//   AURA_RETURN_IF_ERROR(obs.StartHttp({.port = config.core.metrics_port}, [&] { return core->serving(); }));
//   ...
//   obs.StopHttp();                          // before the store and the core go away
//
// Thread-safe after construction: the registry, the observer and the HTTP
// handlers may be used from any thread. WatchNegotiations / AddCacheSource
// before StartHttp. StartHttp: UNAVAILABLE when the port is in use.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/config/config.h"
#include "common/metrics/instruments.h"
#include "common/metrics/metrics.h"
#include "common/metrics/vital_signs.h"
#include "common/status.h"
#include "storage/store.h"
#include "telemetry/exporters/memory/recent_span_store.h"
#include "telemetry/sdk/pipeline_health.h"

namespace aura::http {
class HttpServer;
}  // namespace aura::http

namespace aura::core {

// For StoreOptions::capture_caller: captures the calling thread's trace context
// (telemetry::Context::Current()) and runs the store's work for that caller
// inside it. SQLite's group commit thereby records each INSERT span in the
// trace of the request it stores, not in the trace of the request whose thread
// leads the commit; such a span links to that request's span, where BEGIN and
// COMMIT are. OpenCoreStore sets it along with the statement observer when a
// tracer provider is installed by then (main installs tracing first).
storage::CaptureCaller CaptureTraceContext();

struct CoreObservabilityOptions {
  // Behind /debug/traces; null = always an empty list.
  std::shared_ptr<telemetry::exporters::RecentSpanStore> recent_spans;
  // The pipeline's counters as aura_telemetry_* metrics; null = not published.
  std::shared_ptr<telemetry::sdk::PipelineHealth> tracing_health;
  // For the cache hit-rate windows and negotiation_count's "now".
  const common::Clock* clock = nullptr;  // null = SystemClock
};

struct MetricsHttpOptions {
  std::string host = "0.0.0.0";
  int port = 9091;  // 0 = a free port (read it back with http_port())
};

class CoreObservability {
 public:
  explicit CoreObservability(CoreObservabilityOptions options = {});
  ~CoreObservability();
  CoreObservability(const CoreObservability&) = delete;
  CoreObservability& operator=(const CoreObservability&) = delete;

  common::MetricsRegistry& registry() noexcept { return registry_; }
  common::GrpcMetrics& grpc() noexcept { return grpc_; }
  common::NegotiationMetrics& negotiations() noexcept { return negotiations_; }
  common::DbClientMetrics& db() noexcept { return db_; }
  // Hand to MakeLlmStrategy (LlmStrategyOptions::metrics).
  common::LlmMetrics& llm() noexcept { return llm_; }
  common::VitalSigns& vitals() noexcept { return *vitals_; }

  // A CLIENT span `{operation} {table}` (start time from the event) and one
  // aura_db_client_* sample per statement. `db_namespace` is the database
  // name; `server_address`/`server_port` are set for PostgreSQL only.
  storage::StatementObserver MakeStatementObserver(std::string db_namespace,
                                                   std::string server_address = {},
                                                   int server_port = 0);
  // The same with the namespace and server taken from the store URL the
  // configuration names (database.url, else the SQLite file).
  storage::StatementObserver StatementObserverFor(const common::Config& config);

  // negotiation_count = store.CountValidNegotiations(now) at each scrape.
  // `store` must outlive this object (or StopHttp and no further scrapes).
  void WatchNegotiations(storage::Store& store);
  // cache_hit_rate{cache=name}: `totals` returns cumulative (hits, misses);
  // each scrape records what changed since the last one.
  void AddCacheSource(const std::string& name,
                      std::function<std::pair<uint64_t, uint64_t>()> totals);

  // Starts the metrics HTTP server. `ready` answers /readyz (null = ready).
  common::Status StartHttp(const MetricsHttpOptions& options, std::function<bool()> ready = {});
  // The bound port; 0 before StartHttp.
  int http_port() const noexcept;
  // Stops the HTTP server (idempotent; the destructor calls it).
  void StopHttp();

  // Handlers, also for tests without a socket.
  std::string MetricsText();
  // /debug/traces; InvalidArgument for a malformed query (see ParseTraceQuery).
  common::Result<std::string> TracesJson(const std::string& query_string) const;

 private:
  struct CacheSource {
    std::string name;
    std::function<std::pair<uint64_t, uint64_t>()> totals;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  void FeedCaches();

  CoreObservabilityOptions options_;
  const common::Clock& clock_;
  common::MetricsRegistry registry_;
  common::GrpcMetrics grpc_;
  common::DbClientMetrics db_;
  common::NegotiationMetrics negotiations_;
  common::LlmMetrics llm_;
  std::mutex caches_mu_;
  std::vector<CacheSource> caches_;  // guarded by caches_mu_
  std::unique_ptr<common::VitalSigns> vitals_;
  std::unique_ptr<http::HttpServer> http_;
};

}  // namespace aura::core
