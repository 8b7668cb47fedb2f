// File: storage/postgres/postgres_store.h
//
// PostgresStore: the Store contract on PostgreSQL (URL `postgresql://…` or
// `postgres://…`), shared by every core replica. Calls borrow a connection
// from a bounded pool (waiting at most acquire_timeout for one), run named
// prepared statements, and give it back. A connection found broken is
// dropped together with the idle ones (they most likely died with it) and the
// call is retried once on a fresh connection, so after a database restart the
// store recovers by itself; while the database is down calls answer
// UNAVAILABLE within the timeout instead of hanging.
//
//   AURA_ASSIGN_OR_RETURN(auto store, PostgresStore::Open(options));
//
// Thread-safe. Status codes as in store.h.
#pragma once

#include <memory>
#include <string>

#include "storage/internal/connection_pool.h"
#include "storage/store.h"

namespace aura::storage {

class PostgresStore final : public Store {
 public:
  // Connects once to check the database answers. UNAVAILABLE if it does not.
  static Result<std::unique_ptr<PostgresStore>> Open(const StoreOptions& options);
  ~PostgresStore() override;

  std::string Backend() const override { return "postgresql"; }
  Result<int> Migrate() override;
  Status Ping() override;
  Result<Item> FindItem(const std::string& id) override;
  Result<std::vector<Item>> ListItems(bool active_only) override;
  // The cursor is a transaction id horizon (pg_snapshot_xmin); see the .cc.
  Result<ItemChanges> ListItemsUpdatedSince(int64_t cursor) override;
  Status UpsertItems(const std::vector<Item>& items) override;
  Status SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                      const std::string& model) override;
  Result<std::optional<NegotiationRecord>> FindNegotiation(const std::string& request_id) override;
  Status InsertNegotiation(const NegotiationRecord& record) override;
  Result<int64_t> CountValidNegotiations(int64_t now_unix) override;

  // Connections open now (idle and in use), for tests and metrics.
  size_t OpenConnections() const { return pool_->OpenCount(); }

 private:
  struct Connection;  // a pqxx connection with its statements prepared
  using Pool = internal::ConnectionPool<Connection>;

  explicit PostgresStore(const StoreOptions& options);
  Result<std::unique_ptr<Connection>> OpenConnection();
  // Runs fn(Connection&) -> Status on a pooled connection, turning
  // database exceptions into Status and retrying once on a broken reused
  // connection.
  template <typename Fn>
  Status WithConnection(Fn&& fn);

  const StoreOptions options_;
  const std::string conninfo_;
  const common::Clock& clock_;
  std::unique_ptr<Pool> pool_;
};

// The libpq connection string MakeStore uses for `url`: the URL with
// connect_timeout, tcp_user_timeout, statement_timeout and application_name
// added unless the URL sets them itself.
std::string PostgresConnInfo(const StoreOptions& options);

}  // namespace aura::storage
