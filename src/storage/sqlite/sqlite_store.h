// File: storage/sqlite/sqlite_store.h
//
// SqliteStore: the Store contract on one SQLite file, the embedded default
// (URL `sqlite:///abs/path.db`). The file runs in WAL mode so readers never
// wait for the writer; each concurrent caller gets its own connection from a
// small pool (with its own cache of prepared statements), writers queue on
// SQLite's own lock with a busy timeout, and commits are synchronous=FULL so
// a stored decision survives a crash (StoreOptions::sync_commits). Concurrent
// InsertNegotiation calls are group-committed: one transaction and one fsync
// for all the decisions that arrived while the previous commit was running.
//
//   AURA_ASSIGN_OR_RETURN(auto store, SqliteStore::Open("/var/lib/aura/aura.db", options));
//
// Thread-safe. Status codes as in store.h; a busy database past the timeout
// and an unopenable file are UNAVAILABLE.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/internal/connection_pool.h"
#include "storage/store.h"

namespace aura::storage {

class SqliteStore final : public Store {
 public:
  // Opens (creating the file and its parent directory) and checks one
  // connection. UNAVAILABLE if the file cannot be opened.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const StoreOptions& options);
  ~SqliteStore() override;

  std::string Backend() const override { return "sqlite"; }
  Result<int> Migrate() override;
  Status Ping() override;
  Result<Item> FindItem(const std::string& id) override;
  Result<std::vector<Item>> ListItems(bool active_only) override;
  // The cursor is one past the highest revision seen (a column every write sets).
  Result<ItemChanges> ListItemsUpdatedSince(int64_t cursor) override;
  Status UpsertItems(const std::vector<Item>& items) override;
  Status SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                      const std::string& model) override;
  Result<std::optional<NegotiationRecord>> FindNegotiation(const std::string& request_id) override;
  Status InsertNegotiation(const NegotiationRecord& record) override;
  Result<int64_t> CountValidNegotiations(int64_t now_unix) override;

  // The database file.
  const std::string& path() const { return path_; }

 private:
  struct Connection;
  using Pool = internal::ConnectionPool<Connection>;

  // One caller's record waiting for the group commit.
  struct PendingInsert {
    const NegotiationRecord* record;
    std::string ui_context;
    RunAsCaller as_caller;  // empty without StoreOptions::capture_caller
    Status status;
    bool done = false;
  };
  static constexpr size_t kMaxCommitBatch = 256;

  SqliteStore(std::string path, const StoreOptions& options);
  Result<std::unique_ptr<Connection>> OpenConnection();
  // Writes a batch in one transaction and sets each entry's status.
  void CommitBatch(const std::vector<PendingInsert*>& batch);

  const std::string path_;
  const StoreOptions options_;
  const common::Clock& clock_;
  std::unique_ptr<Pool> pool_;

  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::vector<PendingInsert*> commit_queue_;  // guarded by commit_mu_
  bool committing_ = false;                   // guarded by commit_mu_
};

}  // namespace aura::storage
