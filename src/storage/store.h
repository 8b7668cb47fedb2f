// File: storage/store.h
//
// Store: the hive's durable state behind one interface, with two real
// implementations chosen by URL — SQLite (the embedded default) and PostgreSQL
// (shared by every core replica) — plus an in-memory one for unit tests.
//
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, MakeStore({.url = url}));
//   AURA_RETURN_IF_ERROR(store->Migrate());
//   AURA_ASSIGN_OR_RETURN(Item item, store->FindItem("hotel_alpha"));
//
// Every method is thread-safe and may be called concurrently from many request
// threads; implementations never hold a process-wide lock across a database
// round trip (PostgreSQL uses a bounded connection pool; SQLite uses WAL and
// a small pool with one connection per concurrent caller, and group-commits
// concurrent negotiation inserts).
//
// Status codes: NOT_FOUND for a missing item; INVALID_ARGUMENT for records
// that break an invariant (nothing written); ALREADY_EXISTS when a
// negotiation's request_id is taken; UNAVAILABLE when the database cannot be
// reached (callers answer UNAVAILABLE and retry later; the store reconnects by
// itself); INTERNAL for anything else.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/config/config.h"
#include "common/status.h"
#include "storage/types.h"

namespace aura::storage {

using common::Result;
using common::Status;

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // "sqlite", "postgresql" or "memory".
  virtual std::string Backend() const = 0;

  // Applies pending versioned migrations; idempotent. Returns the schema
  // version now in force.
  virtual Result<int> Migrate() = 0;
  // A cheap round trip (SELECT 1): OK while the database answers.
  virtual Status Ping() = 0;

  // --- inventory ---
  // The item with this id, active or not. NOT_FOUND if absent.
  virtual Result<Item> FindItem(const std::string& id) = 0;
  // All items (only active ones when active_only), ordered by id.
  virtual Result<std::vector<Item>> ListItems(bool active_only) = 0;
  // Inserts or updates every item by id in one transaction: all or nothing.
  // Validates each item first (INVALID_ARGUMENT naming the item's position).
  // created_at is kept for existing items; updated_at is set to now. An item
  // with an empty embedding keeps its stored embedding only while its name and
  // description are unchanged (otherwise the stale one is cleared). meta_json is
  // stored normalised (compact, sorted keys), as every reader gets it back.
  virtual Status UpsertItems(const std::vector<Item>& items) = 0;
  // Stores an embedding for one item (search re-embedding). NOT_FOUND if the
  // item does not exist. Not a change for ListItemsUpdatedSince.
  virtual Status SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                              const std::string& model) = 0;
  // The items (active or not, ordered by id) that UpsertItems wrote since the
  // call that returned `cursor` as ItemChanges::next_cursor; cursor 0 means
  // every item. This is how a poller (every core replica's search index)
  // follows additions, updates and deactivations without listing the whole
  // inventory. Guarantee: a write committed before a call starts is returned
  // by that call or an earlier one; a write committing while a call runs is
  // returned by that call or the next. An answer may repeat items an earlier
  // answer returned (callers compare what they hold), and a cursor is only
  // meaningful to the store that issued it. Items removed from the database
  // by other means than the Store are not reported (there is no delete).
  // The default lists every item and returns cursor 0 (correct, not cheap).
  virtual Result<ItemChanges> ListItemsUpdatedSince(int64_t /*cursor*/) {
    AURA_ASSIGN_OR_RETURN(std::vector<Item> items, ListItems(/*active_only=*/false));
    return ItemChanges{.items = std::move(items), .next_cursor = 0};
  }

  // --- negotiations ---
  // The stored decision for request_id, or nullopt.
  virtual Result<std::optional<NegotiationRecord>> FindNegotiation(
      const std::string& request_id) = 0;
  // Stores a decision durably before returning. ALREADY_EXISTS if the
  // request_id is taken (the caller then reads and replays the stored one).
  // PostgreSQL retries once on a fresh connection when a pooled one turns out
  // dead, so ALREADY_EXISTS can also mean the lost first attempt did land;
  // replaying the stored record is right either way.
  virtual Status InsertNegotiation(const NegotiationRecord& record) = 0;
  // Sessions with valid_until > now_unix.
  virtual Result<int64_t> CountValidNegotiations(int64_t now_unix) = 0;
};

// What the store reports about each SQL statement it ran, for telemetry and
// metrics. Every statement of the SQL stores passes through one private
// function that fills this in, so a tracing layer can turn it into a client
// span (name = statement name, `db.system`, `db.operation`, `db.sql.table`).
struct StatementEvent {
  std::string_view name;       // stable statement name, e.g. "negotiations.insert"
  std::string_view operation;  // "SELECT", "INSERT", "UPSERT", "UPDATE", "DDL", ...
  std::string_view table;      // main table, e.g. "negotiations"
  std::string_view db_system;  // "sqlite" or "postgresql"
  std::chrono::system_clock::time_point start;
  std::chrono::nanoseconds duration{0};
  common::StatusCode code = common::StatusCode::kOk;
  // The statement as prepared: placeholders (? / $1), never bound values
  // (for tracing: db.query.text). Migration scripts are whole DDL files.
  std::string_view sql;
};

// Called on the calling thread after each statement; must be thread-safe, fast
// and must not throw. (SQLite's group commit runs the inserts of several
// callers on whichever caller's thread leads that commit; see
// StoreOptions::capture_caller.)
using StatementObserver = std::function<void(const StatementEvent&)>;

// Runs work that the store does for one caller on another caller's thread, in
// the first caller's context (see StoreOptions::capture_caller).
using RunAsCaller = std::function<void(const std::function<void()>& work)>;
// Captures the calling thread's context; called on the caller's thread.
using CaptureCaller = std::function<RunAsCaller()>;

// Options for MakeStore.
struct StoreOptions {
  // postgresql://…, postgres://…, sqlite:///abs/path.db, or memory://
  std::string url;
  // Connections in the pool (PostgreSQL; SQLite uses up to this many, one per
  // concurrent caller).
  int pool_size = 8;
  // How long a call waits for a free connection / the database before UNAVAILABLE.
  std::chrono::milliseconds acquire_timeout{2000};
  // PostgreSQL: the server cancels statements running longer than this.
  std::chrono::milliseconds statement_timeout{10000};
  // SQLite: every commit reaches the disk before it returns (synchronous=FULL).
  // false = synchronous=NORMAL: still safe when the process crashes, but the
  // last commits may be lost if the machine loses power.
  bool sync_commits = true;
  // Source of created_at / updated_at for items; null = the system clock. Not owned;
  // must outlive the store.
  const common::Clock* clock = nullptr;
  // Optional; see StatementEvent.
  StatementObserver statement_observer;
  // Optional. SQLite's group commit runs the INSERTs of concurrent callers on
  // the thread of the caller that leads the commit. With this set, each caller's
  // context is captured when it queues its record, and its INSERT (with the
  // statement event reported for it) runs inside that context, so that a
  // tracing layer puts the INSERT span in the caller's own trace. BEGIN and
  // COMMIT, shared by the batch, run in the leader's context. Must be
  // thread-safe and must not throw.
  CaptureCaller capture_caller;
};

// The options the configuration asks for: database.url, or the SQLite file in
// data_dir when it is empty (common::DefaultSqliteUrl), and database.pool_size.
StoreOptions StoreOptionsFromConfig(const common::Config& config);

// Opens (but does not migrate) the store the URL names. INVALID_ARGUMENT for
// an unknown scheme or a relative SQLite path; UNAVAILABLE when the database
// cannot be reached. For SQLite the file's parent directory is created.
Result<std::unique_ptr<Store>> MakeStore(const StoreOptions& options);

}  // namespace aura::storage
