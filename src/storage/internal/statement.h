// File: storage/internal/statement.h
//
// Statement: a named SQL statement constant (STYLE.md §7). The name is stable
// and becomes the span name and metric label; operation and table fill the
// `db.operation` and `db.sql.table` attributes. ObserveStatement is the single
// place that times a statement and reports it (StoreOptions::statement_observer);
// a tracing layer wraps its span around that call.
//
//   constexpr Statement kFindItem{"items.find", "SELECT", "items", "SELECT ... WHERE id = ?1"};
//
// Thread-safe (constants and a pure helper).
#pragma once

#include <chrono>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "storage/store.h"

namespace aura::storage::internal {

struct Statement {
  std::string_view name;
  std::string_view operation;
  std::string_view table;
  std::string_view sql;
};

// Runs `run` (which returns a Status) and reports it to `observer` if set.
template <typename Fn>
common::Status ObserveStatement(const StatementObserver& observer, std::string_view db_system,
                                const Statement& statement, Fn&& run) {
  if (!observer) return std::forward<Fn>(run)();
  const auto start = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();
  common::Status status = std::forward<Fn>(run)();
  StatementEvent event{.name = statement.name,
                       .operation = statement.operation,
                       .table = statement.table,
                       .db_system = db_system,
                       .start = start,
                       .duration = std::chrono::steady_clock::now() - t0,
                       .code = status.code(),
                       .sql = statement.sql};
  observer(event);
  return status;
}

}  // namespace aura::storage::internal
