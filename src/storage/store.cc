#include "storage/store.h"

#include <string_view>

#include "storage/memory/memory_store.h"
#include "storage/postgres/postgres_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace aura::storage {

StoreOptions StoreOptionsFromConfig(const common::Config& config) {
  StoreOptions options;
  options.url =
      config.database.url.empty() ? common::DefaultSqliteUrl(config) : config.database.url;
  options.pool_size = config.database.pool_size;
  return options;
}

Result<std::unique_ptr<Store>> MakeStore(const StoreOptions& options) {
  const std::string_view url = options.url;
  if (url == "memory://" || url == "memory:") {
    return std::unique_ptr<Store>(std::make_unique<MemoryStore>(options));
  }
  if (url.starts_with("sqlite://")) {
    std::string path(url.substr(std::string_view("sqlite://").size()));
    if (path.empty() || path.front() != '/') {
      return common::InvalidArgumentError(
          "SQLite URL must name an absolute path, as sqlite:///abs/path.db; got '" + options.url +
          "'");
    }
    AURA_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path, options));
    return std::unique_ptr<Store>(std::move(store));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    AURA_ASSIGN_OR_RETURN(std::unique_ptr<PostgresStore> store, PostgresStore::Open(options));
    return std::unique_ptr<Store>(std::move(store));
  }
  // Only the scheme is quoted: the rest of a URL may hold a password.
  const size_t colon = url.find(':');
  return common::InvalidArgumentError(
      "unknown database URL scheme '" + std::string(url.substr(0, colon)) +
      "' (expected postgresql://, postgres://, sqlite:///abs/path.db or memory://)");
}

}  // namespace aura::storage
