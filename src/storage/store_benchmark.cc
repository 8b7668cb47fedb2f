// Micro-benchmarks of the hot storage calls on SQLite and PostgreSQL: storing
// a negotiation decision (durable insert) and reading an item by id.
// items_per_second is operations per second. PostgreSQL runs on a fresh
// database on the server AURA_TEST_POSTGRES_URL names (skipped with an error
// when it is unset).
//
//   build-*/src/storage/storage_store_benchmark --benchmark_filter=Sqlite
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "storage/inventory_import.h"
#include "storage/store.h"
#include "storage/testing/postgres_test_support.h"

namespace aura::storage {
namespace {

std::atomic<int64_t> g_next_id{0};

struct Backend {
  std::unique_ptr<testing::TempPostgresDatabase> db;  // PostgreSQL only
  std::string dir;                                    // SQLite only
  std::unique_ptr<Store> store;
  std::string error;
  ~Backend() {
    store.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

void Prepare(Backend& b) {
  auto migrated = b.store->Migrate();
  if (!migrated.ok()) {
    b.error = migrated.status().ToString();
    return;
  }
  Status s = b.store->UpsertItems(LoadDemoInventory());
  if (!s.ok()) b.error = s.ToString();
}

Backend* OpenSqlite(bool sync_commits) {
  {
    auto* b = new Backend;
    b->dir = (std::filesystem::temp_directory_path() / "aura-bench-XXXXXX").string();
    if (mkdtemp(b->dir.data()) == nullptr) {
      b->error = "mkdtemp failed";
      return b;
    }
    auto store = MakeStore(
        {.url = "sqlite://" + b->dir + "/bench.db", .pool_size = 16, .sync_commits = sync_commits});
    if (!store.ok()) {
      b->error = store.status().ToString();
      return b;
    }
    b->store = std::move(store).value();
    Prepare(*b);
    return b;
  }
}

// synchronous=FULL: every commit on disk before the call returns (the default).
Backend& Sqlite() {
  static std::unique_ptr<Backend> b(OpenSqlite(true));
  return *b;
}

// synchronous=NORMAL (StoreOptions::sync_commits = false).
Backend& SqliteNormal() {
  static std::unique_ptr<Backend> b(OpenSqlite(false));
  return *b;
}

Backend& Postgres() {
  static std::unique_ptr<Backend> b([] {
    auto* b = new Backend;
    const char* url = std::getenv("AURA_TEST_POSTGRES_URL");
    if (url == nullptr || *url == '\0') {
      b->error = "AURA_TEST_POSTGRES_URL is not set";
      return b;
    }
    auto db = testing::TempPostgresDatabase::Create(url);
    if (!db.ok()) {
      b->error = db.status().ToString();
      return b;
    }
    b->db = std::move(db).value();
    auto store = MakeStore({.url = b->db->url(), .pool_size = 16});
    if (!store.ok()) {
      b->error = store.status().ToString();
      return b;
    }
    b->store = std::move(store).value();
    Prepare(*b);
    return b;
  }());
  return *b;
}

NegotiationRecord Record(int64_t n) {
  NegotiationRecord r;
  r.request_id = "bench-" + std::to_string(n);
  r.session_token = "sess_" + r.request_id;
  r.agent_did = "did:key:" + std::string(64, 'b');
  r.item_id = "hotel_alpha";
  r.bid_amount = 850;
  r.currency = "USD";
  r.outcome = Outcome::kAccepted;
  r.price = 850;
  r.reservation_code = "MCP-" + std::to_string(n);
  r.strategy = "rule";
  r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  r.created_at = 1'700'000'000;
  r.valid_until = 1'700'000'600;
  return r;
}

void InsertNegotiation(benchmark::State& state, Backend& b) {
  if (!b.error.empty()) {
    state.SkipWithError(b.error.c_str());
    return;
  }
  for (auto _ : state) {
    Status s = b.store->InsertNegotiation(Record(g_next_id.fetch_add(1)));
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void FindItem(benchmark::State& state, Backend& b) {
  if (!b.error.empty()) {
    state.SkipWithError(b.error.c_str());
    return;
  }
  for (auto _ : state) {
    auto item = b.store->FindItem("hotel_alpha");
    if (!item.ok()) {
      state.SkipWithError(item.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sqlite_InsertNegotiation(benchmark::State& state) { InsertNegotiation(state, Sqlite()); }
void BM_SqliteNormalSync_InsertNegotiation(benchmark::State& state) {
  InsertNegotiation(state, SqliteNormal());
}
void BM_Sqlite_FindItem(benchmark::State& state) { FindItem(state, Sqlite()); }
void BM_Postgres_InsertNegotiation(benchmark::State& state) {
  InsertNegotiation(state, Postgres());
}
void BM_Postgres_FindItem(benchmark::State& state) { FindItem(state, Postgres()); }

// Concurrent inserts share commits (group commit), so throughput grows with threads.
BENCHMARK(BM_Sqlite_InsertNegotiation)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();
BENCHMARK(BM_SqliteNormalSync_InsertNegotiation)->Threads(1)->Threads(16)->UseRealTime();
BENCHMARK(BM_Sqlite_FindItem)->Threads(1)->Threads(4)->UseRealTime();
BENCHMARK(BM_Postgres_InsertNegotiation)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();
BENCHMARK(BM_Postgres_FindItem)->Threads(1)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace aura::storage
