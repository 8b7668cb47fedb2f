// File: core/testing/fake_store.h
//
// FakeStore: an in-memory storage::Store for the core's unit tests that can
// also misbehave on demand — answer UNAVAILABLE like a database that went
// away, or run a hook just before an insert so a test can stage the race of
// two requests with one request_id.
//
//   FakeStore store;
//   store.PutItem({.id = "hotel_alpha", .name = "Hotel Alpha", .base_price = 1000, .floor_price = 800});
//   store.SetUnavailable(true);   // every call now answers UNAVAILABLE
//
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"

namespace aura::core::testing {

class FakeStore final : public storage::Store {
 public:
  std::string Backend() const override { return "fake"; }
  common::Result<int> Migrate() override { return 1; }
  common::Status Ping() override;

  common::Result<storage::Item> FindItem(const std::string& id) override;
  common::Result<std::vector<storage::Item>> ListItems(bool active_only) override;
  common::Status UpsertItems(const std::vector<storage::Item>& items) override;
  common::Status SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                              const std::string& model) override;

  common::Result<std::optional<storage::NegotiationRecord>> FindNegotiation(
      const std::string& request_id) override;
  common::Status InsertNegotiation(const storage::NegotiationRecord& record) override;
  common::Result<int64_t> CountValidNegotiations(int64_t now_unix) override;

  // --- test controls ---
  void PutItem(storage::Item item);
  void SetUnavailable(bool unavailable);
  // Runs (without the lock held) at the start of every InsertNegotiation.
  void SetBeforeInsert(std::function<void(const storage::NegotiationRecord&)> hook);
  // Successful inserts so far.
  int insert_count() const;
  std::vector<storage::NegotiationRecord> negotiations() const;

 private:
  mutable std::mutex mu_;
  bool unavailable_ = false;
  std::map<std::string, storage::Item> items_;
  std::map<std::string, storage::NegotiationRecord> negotiations_;
  std::function<void(const storage::NegotiationRecord&)> before_insert_;
  int inserts_ = 0;
};

}  // namespace aura::core::testing
