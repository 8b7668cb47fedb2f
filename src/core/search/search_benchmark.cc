// Micro-benchmarks of search: query embedding, HNSW search latency (p50/p99)
// and recall@10 against brute force, index memory, and a cached search.
//
//   build-*/src/core/search/search_benchmark                       # 1 000 and 100 000 items
//   AURA_BENCH_MILLION=1 build-*/src/core/search/search_benchmark --benchmark_filter=Million
//                                            # 1 000 000 items (~1.5 GB, minutes on 2 cores)
//   build-*/src/core/search/search_benchmark --benchmark_filter='/1000$'   # quick check
//
// Index builds use VectorIndex::UpsertBatch (one thread per core, as the
// core's start-up does) and report build_wall_s and build_cpu_s; the exact
// top-10 for recall is computed on every core too. Per-query latency is
// reported as wall and thread-CPU p50/p99.
//
// Items are clustered synthetic 100-dimensional unit vectors (text embeddings
// bunch by topic; uniform random vectors would be an unrealistically hard case),
// queries come from the same distribution.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/log/log.h"
#include "core/search/hashing_embedder.h"
#include "core/search/search_service.h"
#include "core/search/testing/fake_item_store.h"
#include "core/search/testing/random_vectors.h"
#include "core/search/vector_index.h"
#include "core/search/word_vector_embedder.h"

namespace aura::core::search {
namespace {

constexpr int kDims = 100;

// Every fixture's SearchService logs its start-up at info level, which would
// drown the results table.
const bool kQuietLogs = [] {
  common::InitLogging({.level = common::LogLevel::kWarning, .synchronous = true});
  return true;
}();
constexpr size_t kQueries = 1000;

// CPU time of this thread: on a shared, loaded machine wall-clock
// percentiles mostly measure the scheduler, so both are reported.
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// CPU time of the whole process (all threads), in seconds.
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs fn(i) for i in [0, n) on one thread per core.
template <typename Fn>
void ParallelFor(size_t n, Fn fn) {
  const size_t threads = std::max<size_t>(1, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
}

struct Fixture {
  std::vector<std::vector<float>> items;
  std::vector<std::vector<float>> queries;
  std::unique_ptr<VectorIndex> index;
  double build_seconds = 0;
  double build_cpu_seconds = 0;
  double recall_at_10 = 0;
};

// Built once per size and kept: building 100 000 items takes a while.
Fixture& FixtureFor(size_t n) {
  static std::map<size_t, std::unique_ptr<Fixture>> fixtures;
  auto& slot = fixtures[n];
  if (slot) return *slot;
  slot = std::make_unique<Fixture>();
  Fixture& f = *slot;
  // spread 1.0: noise as large as the cluster centre (members of a cluster
  // have cosine ~0.5 with each other), a moderately hard case for HNSW.
  auto all = testing::ClusteredVectors(n + kQueries, kDims, std::max<size_t>(n / 100, 10), 42, 1.0f);
  f.queries.assign(all.end() - kQueries, all.end());
  all.resize(n);
  f.items = std::move(all);
  f.index = std::make_unique<VectorIndex>(VectorIndexOptions{.dimensions = kDims, .initial_capacity = n});
  {
    std::vector<IndexEntry> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) batch.push_back({std::to_string(i), f.items[i]});
    if (n >= 100000) {  // minutes at a million: say what is going on
      std::fprintf(stderr, "search_benchmark: building a %zu-item index on %u threads...\n", n,
                   std::max(1u, std::thread::hardware_concurrency()));
    }
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ProcessCpuSeconds();
    for (const Status& st : f.index->UpsertBatch(batch)) {  // one thread per core
      if (!st.ok()) {
        std::fprintf(stderr, "index build failed: %s\n", st.ToString().c_str());
        std::abort();
      }
    }
    f.build_cpu_seconds = ProcessCpuSeconds() - cpu_start;
    f.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  // Recall@10 over 200 queries against exact brute force (on every core: at
  // a million items that is 2·10¹⁰ multiply-adds).
  const size_t sample = 200;
  std::vector<size_t> found(sample, 0);
  ParallelFor(sample, [&](size_t q) {
    auto hits = f.index->Search(f.queries[q], 10);
    std::set<std::string> got;
    if (hits.ok()) {
      for (const Neighbor& h : *hits) got.insert(h.key);
    }
    for (size_t t : testing::BruteForceTopK(f.items, f.queries[q], 10)) found[q] += got.count(std::to_string(t));
  });
  size_t total = 0;
  for (size_t x : found) total += x;
  f.recall_at_10 = static_cast<double>(total) / (sample * 10.0);
  if (n >= 100000) {
    std::fprintf(stderr, "search_benchmark: built in %.0f s (%.0f s CPU), recall@10 %.3f, index %.0f MB\n",
                 f.build_seconds, f.build_cpu_seconds, f.recall_at_10,
                 static_cast<double>(f.index->MemoryBytes()) / (1024.0 * 1024.0));
  }
  return f;
}

void BM_IndexSearch(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  Fixture& f = FixtureFor(n);
  std::vector<double> wall;
  std::vector<double> cpu;
  wall.reserve(1 << 16);
  cpu.reserve(1 << 16);
  size_t q = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuMicros();
    auto hits = f.index->Search(f.queries[q++ % kQueries], 10);
    benchmark::DoNotOptimize(hits);
    cpu.push_back(ThreadCpuMicros() - cpu_start);
    wall.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  auto pct = [](const std::vector<double>& v, double p) {
    return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
  };
  state.counters["p50_us"] = pct(wall, 0.50);
  state.counters["p99_us"] = pct(wall, 0.99);
  state.counters["cpu_p50_us"] = pct(cpu, 0.50);
  state.counters["cpu_p99_us"] = pct(cpu, 0.99);
  state.counters["recall@10"] = f.recall_at_10;
  state.counters["index_MB"] = static_cast<double>(f.index->MemoryBytes()) / (1024.0 * 1024.0);
  state.counters["build_wall_s"] = f.build_seconds;
  state.counters["build_cpu_s"] = f.build_cpu_seconds;
  state.counters["items"] = static_cast<double>(n);
}
BENCHMARK(BM_IndexSearch)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_IndexSearch_Million(benchmark::State& state) {
  if (std::getenv("AURA_BENCH_MILLION") == nullptr) {
    state.SkipWithError("set AURA_BENCH_MILLION=1 to run (builds a 1 000 000 item index)");
    for (auto _ : state) {
    }
    return;
  }
  BM_IndexSearch(state);
}
BENCHMARK(BM_IndexSearch_Million)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_BruteForce(benchmark::State& state) {
  Fixture& f = FixtureFor(static_cast<size_t>(state.range(0)));
  size_t q = 0;
  for (auto _ : state) benchmark::DoNotOptimize(testing::BruteForceTopK(f.items, f.queries[q++ % kQueries], 10));
}
BENCHMARK(BM_BruteForce)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

const std::vector<std::string>& SampleQueries() {
  static const std::vector<std::string> queries = {
      "inexpensive lodging for surfers", "romantic getaway for newlyweds",
      "ski holiday in the Swiss mountains", "shared office space for remote work",
      "aerial sightseeing of the big apple", "cheap dorm bed for backpackers"};
  return queries;
}

void BM_Embed_WordVectors(benchmark::State& state) {
  auto wv = WordVectors::Open(AURA_WORD_VECTORS_PATH);
  if (!wv.ok()) {
    state.SkipWithError("word vectors missing: run scripts/fetch_word_vectors.sh");
    for (auto _ : state) {
    }
    return;
  }
  WordVectorEmbedder embedder(std::move(wv).value());
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(embedder.Embed(SampleQueries()[i++ % SampleQueries().size()]));
}
BENCHMARK(BM_Embed_WordVectors)->Unit(benchmark::kMicrosecond);

void BM_Embed_Hashing(benchmark::State& state) {
  HashingEmbedder embedder;
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(embedder.Embed(SampleQueries()[i++ % SampleQueries().size()]));
}
BENCHMARK(BM_Embed_Hashing)->Unit(benchmark::kMicrosecond);

// The whole SearchService path on the demo inventory: validation, cache
// lookups, embedding and index search (miss), or the exact cache hit.
void SearchServiceBench(benchmark::State& state, bool cached) {
  testing::FakeItemStore store;
  auto items = testing::LoadInventoryFile(AURA_DEMO_INVENTORY);
  if (!items.ok()) {
    state.SkipWithError("demo inventory missing");
    for (auto _ : state) {
    }
    return;
  }
  for (auto& item : *items) store.Put(item);
  SearchServiceOptions options{.refresh_interval = std::chrono::milliseconds(0),
                               .progress = [](size_t, size_t) {}};
  options.embedder.vectors_paths = {AURA_WORD_VECTORS_PATH};
  options.cache.ttl = cached ? std::chrono::hours(1) : std::chrono::milliseconds(0);
  options.cache.near_threshold = cached ? 0.97 : 2.0;
  auto service = SearchService::Create(options, store);
  if (!service.ok() || !(*service)->Start().ok()) {
    state.SkipWithError("search service did not start");
    for (auto _ : state) {
    }
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize((*service)->Search(SampleQueries()[i++ % SampleQueries().size()], 5, 0.0));
  }
  state.counters["hit_rate"] = (*service)->CacheStats().HitRate();
}
void BM_SearchService_Uncached(benchmark::State& state) { SearchServiceBench(state, false); }
void BM_SearchService_CacheHit(benchmark::State& state) { SearchServiceBench(state, true); }
BENCHMARK(BM_SearchService_Uncached)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchService_CacheHit)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace aura::core::search
