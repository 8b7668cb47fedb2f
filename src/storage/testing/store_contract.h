// File: storage/testing/store_contract.h
//
// The Store contract as one value-parameterised GoogleTest suite,
// StoreContractTest, whose cases (store_contract_cases.cc) run unchanged
// against every backend. A test binary compiles store_contract_cases.cc and
// instantiates the suite with the backends it can reach:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
//                            ::testing::Values(SqliteBackend()), BackendName);
//
// Not thread-safe (test fixtures).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "storage/store.h"

namespace aura::storage::testing {

// A fresh, empty store and a way around it to the database itself.
struct StoreHarness {
  std::unique_ptr<Store> store;
  // Runs one SQL statement directly (not through the store), or null when the
  // backend has no SQL (memory).
  std::function<Status(const std::string& sql)> exec_sql;
  // Releases whatever the harness created (temp files, databases), after `store`.
  std::function<void()> cleanup;
};

struct StoreBackend {
  std::string name;
  // Builds a harness from options whose url it fills in.
  std::function<StoreHarness(StoreOptions options)> make;
};

inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

StoreBackend MemoryBackend();
StoreBackend SqliteBackend();
// Each harness gets its own database on the server AURA_TEST_POSTGRES_URL names.
StoreBackend PostgresBackend();

// For GoogleTest's messages: the backend's name.
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreBackend> {};

// The cases that only make sense with SQL underneath (schema constraints,
// statement reporting); instantiate it for SQLite and PostgreSQL.
class SqlStoreContractTest : public ::testing::TestWithParam<StoreBackend> {};

}  // namespace aura::storage::testing
