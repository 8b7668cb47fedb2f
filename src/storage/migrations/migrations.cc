#include "storage/migrations/migrations.h"

namespace aura::storage {
namespace internal {
// Defined by the embed step in CMakeLists.txt from the .sql files.
std::string_view SqliteMigration0001();
std::string_view PostgresMigration0001();
std::string_view SqliteMigration0002();
std::string_view PostgresMigration0002();
}  // namespace internal

const std::vector<Migration>& Migrations(SqlDialect dialect) {
  static const std::vector<Migration> kSqlite = {
      {1, "initial", internal::SqliteMigration0001()},
      {2, "item_revisions", internal::SqliteMigration0002()},
  };
  static const std::vector<Migration> kPostgres = {
      {1, "initial", internal::PostgresMigration0001()},
      {2, "item_change_xid", internal::PostgresMigration0002()},
  };
  return dialect == SqlDialect::kSqlite ? kSqlite : kPostgres;
}

int LatestSchemaVersion() { return Migrations(SqlDialect::kSqlite).back().version; }

}  // namespace aura::storage
