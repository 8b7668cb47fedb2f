// Decisions per second of the core's rule path with storage: each iteration is
// one NegotiationService::Negotiate with a fresh request_id — an idempotency
// lookup, an item lookup, the rule decision and a durable insert — exactly
// what a Negotiate RPC costs the core minus gRPC.
//
//   core_negotiation_benchmark                       # SQLite in a temp dir
//   AURA_TEST_POSTGRES_URL=postgresql://… core_negotiation_benchmark
//
// items_per_second is decisions per second (summed over threads).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "core/pricing/rule_strategy.h"
#include "core/service/ids.h"
#include "core/service/negotiation_service.h"
#include "storage/store.h"

namespace aura::core {
namespace {

// One store per backend for the whole run, shared by every thread.
struct Backend {
  std::unique_ptr<storage::Store> store;
  RuleStrategy rules;
  std::unique_ptr<NegotiationService> service;
  std::string error;
};

Backend* Open(const std::string& url) {
  auto backend = std::make_unique<Backend>();
  auto store = storage::MakeStore({.url = url, .pool_size = 8});
  if (!store.ok()) {
    backend->error = store.status().ToString();
    return backend.release();
  }
  backend->store = std::move(*store);
  if (auto migrated = backend->store->Migrate(); !migrated.ok()) {
    backend->error = migrated.status().ToString();
    return backend.release();
  }
  common::Status seeded = backend->store->UpsertItems({{.id = "bench_hotel",
                                                        .name = "Benchmark Hotel",
                                                        .description = "A room for measuring",
                                                        .base_price = 1000,
                                                        .floor_price = 800}});
  if (!seeded.ok()) {
    backend->error = seeded.ToString();
    return backend.release();
  }
  backend->service = std::make_unique<NegotiationService>(
      backend->rules, *backend->store, common::SystemClock::Instance(), NegotiationServiceOptions{});
  return backend.release();
}

Backend& Sqlite() {
  static Backend* backend = [] {
    auto dir = std::filesystem::temp_directory_path() /
               ("aura-core-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                      ("aura-core-bench-" + std::to_string(getpid())),
                                  ec);
    });
    return Open("sqlite://" + (dir / "bench.db").string());
  }();
  return *backend;
}

Backend& Postgres() {
  static Backend* backend = [] {
    const char* url = std::getenv("AURA_TEST_POSTGRES_URL");
    if (url == nullptr || *url == '\0') {
      auto* b = new Backend();
      b->error = "AURA_TEST_POSTGRES_URL is not set";
      return b;
    }
    return Open(url);
  }();
  return *backend;
}

void RunNegotiations(benchmark::State& state, Backend& backend) {
  if (!backend.error.empty()) {
    state.SkipWithError(backend.error.c_str());
    return;
  }
  // Unique across runs, threads and iterations.
  const std::string prefix = "bench-" + NewRequestId() + "-";
  int64_t n = 0;
  int64_t failures = 0;
  for (auto _ : state) {
    auto out = backend.service->Negotiate({.request_id = prefix + std::to_string(n++),
                                           .item_id = "bench_hotel",
                                           .bid_amount = 850.0 + static_cast<double>(n % 100),
                                           .agent_did = "did:key:bench"});
    if (!out.ok()) ++failures;
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failures"] = static_cast<double>(failures);
}

void BM_Negotiate_Sqlite(benchmark::State& state) { RunNegotiations(state, Sqlite()); }
void BM_Negotiate_Postgres(benchmark::State& state) { RunNegotiations(state, Postgres()); }

// The decision alone, no storage: the ceiling the stored path is measured against.
void BM_RuleDecision(benchmark::State& state) {
  RuleStrategy rules;
  storage::Item item{.id = "bench_hotel", .base_price = 1000, .floor_price = 800};
  for (auto _ : state) {
    auto d = rules.Decide({.item_id = "bench_hotel", .bid_amount = 850, .item = &item});
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RuleDecision);
BENCHMARK(BM_Negotiate_Sqlite)->Threads(1)->Threads(4)->UseRealTime();
BENCHMARK(BM_Negotiate_Postgres)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace
}  // namespace aura::core
