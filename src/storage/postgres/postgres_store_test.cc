// Store contract on PostgreSQL (label integration): each case runs on a fresh
// database of its own on the server AURA_TEST_POSTGRES_URL names.
#include "storage/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "storage/migrations/migrations.h"
#include "storage/testing/postgres_test_support.h"
#include "storage/testing/store_contract.h"

namespace aura::storage {
namespace {

using common::StatusCode;
using testing::SqlStoreContractTest;
using testing::StoreContractTest;

INSTANTIATE_TEST_SUITE_P(Server, StoreContractTest, ::testing::Values(testing::PostgresBackend()),
                         testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Server, SqlStoreContractTest,
                         ::testing::Values(testing::PostgresBackend()), testing::BackendName);

TEST(PostgresStore, ConcurrentMigrationsFromSeveralProcessesApplyOnce) {
  const std::string admin = testing::RequirePostgresTestUrl();
  ASSERT_FALSE(admin.empty());
  auto db = testing::TempPostgresDatabase::Create(admin);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < 4; ++i) {
    auto store = MakeStore({.url = (*db)->url()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    stores.push_back(std::move(store).value());
  }
  std::vector<common::Result<int>> results(stores.size(), common::Result<int>(0));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = stores[i]->Migrate(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, LatestSchemaVersion());
  }
  stores.clear();
}

// The case a sequence or timestamp cursor gets wrong: a transaction that
// began writing first commits last, after a poll has already seen a later
// write. The next poll from that poll's cursor must still return it.
TEST(PostgresStore, ListItemsUpdatedSinceSeesATransactionThatCommitsLate) {
  const std::string admin = testing::RequirePostgresTestUrl();
  ASSERT_FALSE(admin.empty());
  auto db = testing::TempPostgresDatabase::Create(admin);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto store = MakeStore({.url = (*db)->url()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Migrate().ok());
  Item slow;
  slow.id = "slow";
  slow.name = "Slow";
  slow.base_price = 100;
  slow.floor_price = 80;
  Item fast = slow;
  fast.id = "fast";
  fast.name = "Fast";
  ASSERT_TRUE((*store)->UpsertItems({slow}).ok());
  auto start = (*store)->ListItemsUpdatedSince(0);
  ASSERT_TRUE(start.ok()) << start.status().ToString();

  // The slow writer takes its transaction id now and writes the item the way
  // the store does, but commits only at the end.
  pqxx::connection conn((*db)->url());
  pqxx::work late(conn);
  late.exec("SELECT pg_current_xact_id()");
  late.exec(
      "UPDATE items SET name = 'Slow, renamed', updated_at = now(), "
      "change_xid = pg_current_xact_id() WHERE id = 'slow'");
  ASSERT_TRUE((*store)->UpsertItems({fast}).ok());  // a later transaction, committed first
  auto middle = (*store)->ListItemsUpdatedSince(start->next_cursor);
  ASSERT_TRUE(middle.ok()) << middle.status().ToString();
  bool saw_fast = false;
  for (const Item& item : middle->items) {
    saw_fast |= item.id == "fast";
    if (item.id == "slow") {
      EXPECT_EQ(item.name, "Slow") << "uncommitted writes are invisible";
    }
  }
  EXPECT_TRUE(saw_fast);
  late.commit();

  auto after = (*store)->ListItemsUpdatedSince(middle->next_cursor);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  bool saw_slow = false;
  for (const Item& item : after->items) saw_slow |= item.id == "slow" && item.name == "Slow, renamed";
  EXPECT_TRUE(saw_slow) << "a write that committed after the poll must be returned by the next one";
}

TEST(PostgresStore, PoolStaysWithinItsSize) {
  const std::string admin = testing::RequirePostgresTestUrl();
  ASSERT_FALSE(admin.empty());
  auto db = testing::TempPostgresDatabase::Create(admin);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto store = PostgresStore::Open({.url = (*db)->url(), .pool_size = 3});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Migrate().ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (!(*store)->CountValidNegotiations(0).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE((*store)->OpenConnections(), 3u);
}

}  // namespace
}  // namespace aura::storage
