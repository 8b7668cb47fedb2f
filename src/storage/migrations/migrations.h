// File: storage/migrations/migrations.h
//
// The versioned schema of the SQL stores. Each dialect has its numbered
// migrations (migrations/<dialect>/NNNN_name.sql, compiled into the library);
// Store::Migrate() applies the ones missing from the schema_migrations table,
// each in its own transaction together with its schema_migrations row, so a
// migration is either fully applied or not at all and running Migrate twice
// changes nothing.
//
// To change the schema: add the next NNNN_name.sql for both dialects, list it
// in CMakeLists.txt (the embed step) and in migrations.cc. Never edit an
// applied migration.
//
// Thread-safe (immutable data).
#pragma once

#include <string_view>
#include <vector>

namespace aura::storage {

enum class SqlDialect { kSqlite, kPostgres };

struct Migration {
  int version;            // 1, 2, ...; strictly increasing
  std::string_view name;  // "initial"
  std::string_view sql;   // one or more statements
};

// The migrations of a dialect, ordered by version.
const std::vector<Migration>& Migrations(SqlDialect dialect);

// The highest version (the same for every dialect).
int LatestSchemaVersion();

}  // namespace aura::storage
