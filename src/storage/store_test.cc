// Store contract on the backends that need no server (memory, SQLite), and
// MakeStore's URL handling.
#include "storage/store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "storage/postgres/postgres_store.h"
#include "storage/testing/postgres_test_support.h"
#include "storage/testing/store_contract.h"

namespace aura::storage {
namespace {

using common::StatusCode;
using testing::SqlStoreContractTest;
using testing::StoreContractTest;

INSTANTIATE_TEST_SUITE_P(Local, StoreContractTest,
                         ::testing::Values(testing::MemoryBackend(), testing::SqliteBackend()),
                         testing::BackendName);
INSTANTIATE_TEST_SUITE_P(Local, SqlStoreContractTest, ::testing::Values(testing::SqliteBackend()),
                         testing::BackendName);

class TempDir {
 public:
  TempDir() {
    path_ = (std::filesystem::temp_directory_path() / "aura-store-XXXXXX").string();
    AURA_CHECK(mkdtemp(path_.data()) != nullptr);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(MakeStore, RejectsUnknownSchemeWithoutEchoingTheUrl) {
  auto store = MakeStore({.url = "mysql://user:secret@host/db"});
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.status().message().find("secret"), std::string::npos);
  EXPECT_NE(store.status().message().find("mysql"), std::string::npos);
}

TEST(MakeStore, RejectsRelativeSqlitePath) {
  EXPECT_EQ(MakeStore({.url = "sqlite://relative/aura.db"}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MakeStore, MemoryUrlMakesAMemoryStore) {
  auto store = MakeStore({.url = "memory://"});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Backend(), "memory");
}

TEST(MakeStore, SqliteCreatesTheParentDirectoryAndKeepsDataAcrossReopen) {
  TempDir dir;
  const std::string path = dir.path() + "/a/b/aura.db";
  {
    auto store = MakeStore({.url = "sqlite://" + path});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->Backend(), "sqlite");
    ASSERT_TRUE((*store)->Migrate().ok());
    Item item{.id = "kept", .name = "Kept", .base_price = 10, .floor_price = 5};
    ASSERT_TRUE((*store)->UpsertItems({item}).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  auto reopened = MakeStore({.url = "sqlite://" + path});
  ASSERT_TRUE(reopened.ok());
  ASSERT_TRUE((*reopened)->Migrate().ok());
  auto item = (*reopened)->FindItem("kept");
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->name, "Kept");
}

TEST(MakeStore, SqliteUnopenableFileIsUnavailable) {
  TempDir dir;
  // A directory where the database file should be.
  std::filesystem::create_directories(dir.path() + "/db.sqlite");
  auto store = MakeStore({.url = "sqlite://" + dir.path() + "/db.sqlite"});
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
}

TEST(MakeStore, UnreachablePostgresIsUnavailableWithinTheTimeout) {
  const int port = testing::PickFreePort();  // nothing listens there
  const auto start = std::chrono::steady_clock::now();
  auto store = MakeStore({.url = "postgresql://aura@127.0.0.1:" + std::to_string(port) + "/x",
                          .acquire_timeout = std::chrono::milliseconds(500)});
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(StoreOptionsFromConfig, DefaultsToTheSqliteFileInTheDataDir) {
  common::Config config;
  config.data_dir = "/var/lib/aura";
  config.database.pool_size = 3;
  StoreOptions options = StoreOptionsFromConfig(config);
  EXPECT_EQ(options.url, "sqlite:///var/lib/aura/aura.db");
  EXPECT_EQ(options.pool_size, 3);
  config.database.url = "postgresql://aura@db/aura";
  EXPECT_EQ(StoreOptionsFromConfig(config).url, "postgresql://aura@db/aura");
}

TEST(PostgresConnInfo, AddsTimeoutsUnlessTheUrlSetsThem) {
  StoreOptions options{.url = "postgresql://u@h:5432/db",
                       .acquire_timeout = std::chrono::milliseconds(2500),
                       .statement_timeout = std::chrono::milliseconds(7000)};
  const std::string info = PostgresConnInfo(options);
  EXPECT_EQ(info.rfind("postgresql://u@h:5432/db?", 0), 0u) << info;
  EXPECT_NE(info.find("connect_timeout=3"), std::string::npos) << info;
  EXPECT_NE(info.find("tcp_user_timeout=2500"), std::string::npos) << info;
  EXPECT_NE(info.find("statement_timeout%3D7000"), std::string::npos) << info;

  options.url = "postgres://u@h/db?sslmode=disable&connect_timeout=9";
  const std::string kept = PostgresConnInfo(options);
  EXPECT_NE(kept.find("?sslmode=disable&connect_timeout=9&"), std::string::npos) << kept;
  EXPECT_EQ(kept.find("connect_timeout=3"), std::string::npos) << kept;
}

}  // namespace
}  // namespace aura::storage
