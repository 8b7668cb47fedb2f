#include "storage/migrations/migrations.h"

namespace aura::storage {
namespace internal {
// Defined by the embed step in CMakeLists.txt from the .sql files.
std::string_view SqliteMigration0001();
std::string_view PostgresMigration0001();
}  // namespace internal

const std::vector<Migration>& Migrations(SqlDialect dialect) {
  static const std::vector<Migration> kSqlite = {
      {1, "initial", internal::SqliteMigration0001()},
  };
  static const std::vector<Migration> kPostgres = {
      {1, "initial", internal::PostgresMigration0001()},
  };
  return dialect == SqlDialect::kSqlite ? kSqlite : kPostgres;
}

int LatestSchemaVersion() { return Migrations(SqlDialect::kSqlite).back().version; }

}  // namespace aura::storage
