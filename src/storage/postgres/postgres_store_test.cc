// Store contract on PostgreSQL (label integration): each case runs on a fresh
// database of its own on the server AURA_TEST_POSTGRES_URL names.
#include "storage/postgres/postgres_store.h"

#include <gtest/gtest.h>

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
