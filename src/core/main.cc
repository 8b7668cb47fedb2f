// aura-core: the gRPC core service (DESIGN section 1). Composition root only:
// configuration, logging, storage, the pricing strategy (rules or LLM), the
// search index, CoreServer; everything else lives in the libraries.
//
// Exit codes: 0 after a clean SIGTERM/SIGINT shutdown, 1 when storage, the
// search index, the gRPC port or the metrics port cannot be opened, 2 for an
// invalid configuration (including the tracing settings).
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/config/environment.h"
#include "common/grpc/grpc_runtime.h"
#include "common/log/log.h"
#include "core/core_server.h"
#include "core/observability.h"
#include "core/pricing/llm/llm_strategy.h"
#include "core/search/clients_backend.h"
#include "core/search/search_service.h"
#include "telemetry/tracing.h"

namespace {

// Blocks SIGTERM and SIGINT in this thread and every thread started after it,
// so only the sigwait below receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int Fail(int code, const char* event, const std::string& error) {
  AURA_LOG_ERROR(event).With("error", error);
  aura::common::ShutdownLogging();
  return code;
}

int Run() {
  const sigset_t stop_signals = BlockStopSignals();
  aura::common::Config config;
  try {
    config = aura::common::LoadConfig(aura::common::Environment::FromProcess(), "aura-core");
  } catch (const aura::common::ConfigError& e) {
    aura::common::InitLogging({.logger = "aura-core", .synchronous = true});
    return Fail(2, "core.config_invalid", e.what());
  }
  aura::common::InitLogging({.level = config.log_level, .logger = "aura-core"});
  aura::common::ConfigureGrpcRuntime();

  aura::telemetry::TracingPipeline tracing;
  try {
    tracing = aura::telemetry::InstallTracing(config, "aura-core");
  } catch (const std::exception& e) {
    // e.g. an empty service name: one line naming the setting.
    return Fail(2, "core.config_invalid", e.what());
  }
  // Spans and metrics; the metrics HTTP server starts once the core listens.
  aura::core::CoreObservability observability(
      {.recent_spans = tracing.recent_spans, .tracing_health = tracing.health});
  auto fail = [&tracing](int code, const char* event, const std::string& error) {
    tracing.Shutdown(std::chrono::milliseconds(2000));
    return Fail(code, event, error);
  };

  auto opened = aura::core::OpenCoreStore(config, observability.StatementObserverFor(config));
  if (!opened.ok()) return fail(1, "core.storage_failed", opened.status().ToString());
  std::unique_ptr<aura::storage::Store> store = std::move(*opened);
  observability.WatchNegotiations(*store);

  aura::core::CoreServerParts parts;
  parts.observability = &observability;
  if (config.llm.model != "rule") {
    // Market load for the prompt: how busy this core is, as the share of one
    // core's CPU it used over the last second or so (0 = idle, 1 = saturated).
    auto market_load = [&observability]() -> std::optional<double> {
      double ratio = observability.vitals().Process().cpu_percent / 100.0;
      return std::clamp(ratio, 0.0, 1.0);
    };
    auto llm = aura::core::MakeLlmStrategy(
        config, {.market_load = market_load, .metrics = &observability.llm()});
    if (!llm.ok()) return fail(2, "core.config_invalid", "AURA_LLM__MODEL: " + llm.status().message());
    aura::core::LlmStrategy* llm_strategy = llm->get();
    observability.AddCacheSource("pricing", [llm_strategy] {
      aura::core::LlmStrategyStats st = llm_strategy->stats();
      return std::pair<uint64_t, uint64_t>(st.cache_hits, st.cache_misses);
    });
    parts.strategy = std::move(*llm);
  }

  namespace search = aura::core::search;
  auto created = search::SearchService::Create(search::SearchServiceOptionsFromConfig(config), *store,
                                               aura::common::SystemClock::Instance(),
                                               search::MakeClientEmbeddingsBackendFactory(config));
  if (!created.ok()) return fail(1, "core.search_failed", created.status().ToString());
  std::unique_ptr<search::SearchService> search_service = std::move(*created);
  if (auto s = search_service->Start(); !s.ok()) return fail(1, "core.search_failed", s.ToString());
  observability.AddCacheSource("search", [svc = search_service.get()] {
    search::SearchCacheStats st = svc->CacheStats();
    return std::pair<uint64_t, uint64_t>(st.exact_hits + st.near_hits, st.misses);
  });
  parts.search = [svc = search_service.get()](const aura::core::SearchQuery& q)
      -> aura::common::Result<std::vector<aura::core::SearchHit>> {
    AURA_ASSIGN_OR_RETURN(std::vector<search::SearchHit> hits,
                          svc->Search(q.query, q.limit, q.min_similarity));
    std::vector<aura::core::SearchHit> out;
    out.reserve(hits.size());
    for (auto& h : hits) {
      out.push_back({.item_id = std::move(h.item_id),
                     .name = std::move(h.name),
                     .base_price = h.base_price,
                     .similarity_score = h.similarity,
                     .description_snippet = std::move(h.description_snippet)});
    }
    return out;
  };

  auto started = aura::core::CoreServer::Start(aura::core::CoreServerOptionsFromConfig(config), *store,
                                               aura::common::SystemClock::Instance(), std::move(parts));
  if (!started.ok()) return fail(1, "core.listen_failed", started.status().message());
  std::unique_ptr<aura::core::CoreServer> core = std::move(*started);
  if (auto s = observability.StartHttp({.port = config.core.metrics_port},
                                       [c = core.get()] { return c->serving(); });
      !s.ok()) {
    core->Shutdown(std::chrono::seconds(1));
    return fail(1, "core.listen_failed", s.message());
  }
  AURA_LOG_INFO("core.started")
      .With("grpc_port", core->port())
      .With("metrics_port", observability.http_port())
      .With("storage", store->Backend());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  AURA_LOG_INFO("core.stopping").With("signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  core->Shutdown(std::chrono::seconds(5));
  observability.StopHttp();  // no scrape reads the store, strategy or caches after this
  core.reset();   // the server goes before the parts and the store it borrows
  search_service->Shutdown();
  search_service.reset();
  store.reset();
  tracing.Shutdown();  // flushes the spans still queued (bounded wait)
  AURA_LOG_INFO("core.stopped");
  aura::common::ShutdownLogging();
  return 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aura-core: fatal: %s\n", e.what());
    return 1;
  }
}
