// File: storage/memory/memory_store.h
//
// MemoryStore: the Store contract held in process memory, for unit tests of
// other modules (URL `memory://`). It enforces the same invariants as the SQL
// stores and loses everything when destroyed.
//
//   auto store = MakeStore({.url = "memory://"});
//
// Thread-safe: a reader/writer mutex guards the maps (no I/O happens under it).
#pragma once

#include <map>
#include <shared_mutex>
#include <string>

#include "storage/store.h"

namespace aura::storage {

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const StoreOptions& options);

  std::string Backend() const override { return "memory"; }
  Result<int> Migrate() override;
  Status Ping() override { return common::OkStatus(); }
  Result<Item> FindItem(const std::string& id) override;
  Result<std::vector<Item>> ListItems(bool active_only) override;
  Status UpsertItems(const std::vector<Item>& items) override;
  Status SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                      const std::string& model) override;
  // Revisions count writes; the cursor is the next revision to be handed out.
  Result<ItemChanges> ListItemsUpdatedSince(int64_t cursor) override;
  Result<std::optional<NegotiationRecord>> FindNegotiation(const std::string& request_id) override;
  Status InsertNegotiation(const NegotiationRecord& record) override;
  Result<int64_t> CountValidNegotiations(int64_t now_unix) override;

 private:
  const common::Clock& clock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Item> items_;                      // guarded by mu_
  std::map<std::string, int64_t> revisions_;               // item id -> last write; guarded by mu_
  int64_t last_revision_ = 0;                              // guarded by mu_
  std::map<std::string, NegotiationRecord> negotiations_;  // guarded by mu_
};

}  // namespace aura::storage
