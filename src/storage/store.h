// File: storage/store.h
//
// Store: the hive's durable state behind one interface, with two real
// implementations chosen by URL — SQLite (the embedded default) and PostgreSQL
// (shared by every core replica) — plus an in-memory one for unit tests.
//
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, MakeStore(url));
//   AURA_RETURN_IF_ERROR(store->Migrate());
//   AURA_ASSIGN_OR_RETURN(Item item, store->FindItem("hotel_alpha"));
//
// Every method is thread-safe and may be called concurrently from many request
// threads; implementations never hold a process-wide lock across a database
// round trip (PostgreSQL uses a connection pool; SQLite uses WAL with one
// connection per thread for reads).
//
// Status codes: NOT_FOUND for a missing item; INVALID_ARGUMENT for records
// that break an invariant (nothing written); ALREADY_EXISTS when a
// negotiation's request_id is taken; UNAVAILABLE when the database cannot be
// reached (callers answer UNAVAILABLE and retry later; the store reconnects by
// itself); INTERNAL for anything else.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
  // created_at is kept for existing items; updated_at is set to now.
  virtual Status UpsertItems(const std::vector<Item>& items) = 0;
  // Stores an embedding for one item (search re-embedding).
  virtual Status SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                              const std::string& model) = 0;

  // --- negotiations ---
  // The stored decision for request_id, or nullopt.
  virtual Result<std::optional<NegotiationRecord>> FindNegotiation(const std::string& request_id) = 0;
  // Stores a decision durably before returning. ALREADY_EXISTS if the
  // request_id is taken (the caller then reads and replays the stored one).
  virtual Status InsertNegotiation(const NegotiationRecord& record) = 0;
  // Sessions with valid_until > now_unix.
  virtual Result<int64_t> CountValidNegotiations(int64_t now_unix) = 0;
};

// Options for MakeStore.
struct StoreOptions {
  // postgresql://…, sqlite:///abs/path.db, or memory://
  std::string url;
  // PostgreSQL connections.
  int pool_size = 8;
  // How long a call waits for a free connection / the database before UNAVAILABLE.
  std::chrono::milliseconds acquire_timeout{2000};
};

// Opens (but does not migrate) the store the URL names. INVALID_ARGUMENT for
// an unknown scheme; UNAVAILABLE when the database cannot be reached.
Result<std::unique_ptr<Store>> MakeStore(const StoreOptions& options);

}  // namespace aura::storage
