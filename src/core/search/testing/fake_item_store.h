// File: core/search/testing/fake_item_store.h
//
// FakeItemStore: a Store holding only inventory items in memory, for search
// tests, benchmarks and the eval tool (negotiation methods are UNIMPLEMENTED).
// Every write stamps updated_at from a counter so changes are always visible
// to SearchService::Refresh, and records a revision for ListItemsUpdatedSince
// (the cursor is the next revision). Erase removes an item without a trace,
// as a deletion behind the Store's back would: only a complete listing
// (cursor 0, ListItems) notices it. Listing can be made to fail.
//
//   FakeItemStore store;
//   store.Put({.id = "hostel_beta", .name = "...", .description = "...", .base_price = 50, .floor_price = 40});
//   store.set_fail_list(true);   // ListItems -> UNAVAILABLE
//
// Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/store.h"

namespace aura::core::search::testing {

class FakeItemStore final : public storage::Store {
 public:
  std::string Backend() const override { return "fake"; }
  common::Result<int> Migrate() override { return 1; }
  common::Status Ping() override { return common::OkStatus(); }
  common::Result<storage::Item> FindItem(const std::string& id) override;
  common::Result<std::vector<storage::Item>> ListItems(bool active_only) override;
  common::Status UpsertItems(const std::vector<storage::Item>& items) override;
  common::Status SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                              const std::string& model) override;
  common::Result<storage::ItemChanges> ListItemsUpdatedSince(int64_t cursor) override;
  common::Result<std::optional<storage::NegotiationRecord>> FindNegotiation(
      const std::string& request_id) override;
  common::Status InsertNegotiation(const storage::NegotiationRecord& record) override;
  common::Result<int64_t> CountValidNegotiations(int64_t now_unix) override;

  // Inserts or replaces one item as is (embedding included), bumping updated_at.
  void Put(storage::Item item);
  void Erase(const std::string& id);
  void SetActive(const std::string& id, bool active);
  void set_fail_list(bool fail) { fail_list_.store(fail); }
  int set_embedding_calls() const { return set_embedding_calls_.load(); }
  int list_calls() const { return list_calls_.load(); }
  // ListItemsUpdatedSince calls, those with cursor 0, and items they returned.
  int changes_calls() const { return changes_calls_.load(); }
  int complete_calls() const { return complete_calls_.load(); }
  int64_t changed_items_returned() const { return changed_items_returned_.load(); }

 private:
  mutable std::mutex mu_;
  std::map<std::string, storage::Item> items_;  // guarded by mu_
  std::map<std::string, int64_t> revisions_;    // guarded by mu_
  int64_t stamp_ = 1000;                        // guarded by mu_
  int64_t revision_ = 0;                        // guarded by mu_
  std::atomic<bool> fail_list_{false};
  std::atomic<int> set_embedding_calls_{0};
  std::atomic<int> list_calls_{0};
  std::atomic<int> changes_calls_{0};
  std::atomic<int> complete_calls_{0};
  std::atomic<int64_t> changed_items_returned_{0};
};

// Items of an inventory JSON file (DESIGN §5's format; `meta` kept as text).
common::Result<std::vector<storage::Item>> LoadInventoryFile(const std::string& path);

}  // namespace aura::core::search::testing
