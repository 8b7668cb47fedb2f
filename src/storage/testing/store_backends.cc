#include <sqlite3.h>

#include <filesystem>
#include <pqxx/pqxx>

#include "storage/testing/postgres_test_support.h"
#include "storage/testing/store_contract.h"

namespace aura::storage::testing {

StoreBackend MemoryBackend() {
  return {"Memory", [](StoreOptions options) {
            options.url = "memory://";
            StoreHarness h;
            h.store = std::move(MakeStore(options)).value();
            return h;
          }};
}

StoreBackend SqliteBackend() {
  return {"Sqlite", [](StoreOptions options) {
            std::string dir =
                (std::filesystem::temp_directory_path() / "aura-sqlite-XXXXXX").string();
            AURA_CHECK(mkdtemp(dir.data()) != nullptr);
            const std::string path = dir + "/nested/aura.db";
            options.url = "sqlite://" + path;
            StoreHarness h;
            auto store = MakeStore(options);
            EXPECT_TRUE(store.ok()) << store.status().ToString();
            if (store.ok()) h.store = std::move(store).value();
            h.exec_sql = [path](const std::string& sql) -> Status {
              sqlite3* db = nullptr;
              int rc = sqlite3_open(path.c_str(), &db);
              if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
              Status s = rc == SQLITE_OK ? Status() : common::InternalError(sqlite3_errmsg(db));
              sqlite3_close(db);
              return s;
            };
            h.cleanup = [dir] { std::filesystem::remove_all(dir); };
            return h;
          }};
}

StoreBackend PostgresBackend() {
  return {"Postgres", [](StoreOptions options) {
            StoreHarness h;
            const std::string admin = RequirePostgresTestUrl();
            auto db = TempPostgresDatabase::Create(admin);
            EXPECT_TRUE(db.ok()) << db.status().ToString();
            if (!db.ok()) return h;
            std::shared_ptr<TempPostgresDatabase> shared(std::move(db).value());
            options.url = shared->url();
            auto store = MakeStore(options);
            EXPECT_TRUE(store.ok()) << store.status().ToString();
            if (store.ok()) h.store = std::move(store).value();
            const std::string url = shared->url();
            h.exec_sql = [url](const std::string& sql) -> Status {
              try {
                pqxx::connection conn(url);
                pqxx::nontransaction tx(conn);
                tx.exec(sql);
                return Status();
              } catch (const std::exception& e) {
                return common::InternalError(e.what());
              }
            };
            h.cleanup = [shared]() mutable { shared.reset(); };
            return h;
          }};
}

}  // namespace aura::storage::testing
