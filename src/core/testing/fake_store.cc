#include "core/testing/fake_store.h"

#include <utility>

namespace aura::core::testing {
namespace {
common::Status Down() { return common::UnavailableError("fake store is down"); }
}  // namespace

common::Status FakeStore::Ping() {
  std::lock_guard lock(mu_);
  return unavailable_ ? Down() : common::OkStatus();
}

common::Result<storage::Item> FakeStore::FindItem(const std::string& id) {
  std::lock_guard lock(mu_);
  if (unavailable_) return Down();
  auto it = items_.find(id);
  if (it == items_.end()) return common::NotFoundError("no item " + id);
  return it->second;
}

common::Result<std::vector<storage::Item>> FakeStore::ListItems(bool active_only) {
  std::lock_guard lock(mu_);
  if (unavailable_) return Down();
  std::vector<storage::Item> out;
  for (const auto& [id, item] : items_) {
    if (!active_only || item.active) out.push_back(item);
  }
  return out;
}

common::Status FakeStore::UpsertItems(const std::vector<storage::Item>& items) {
  std::lock_guard lock(mu_);
  if (unavailable_) return Down();
  for (const auto& item : items) items_[item.id] = item;
  return common::OkStatus();
}

common::Status FakeStore::SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                                       const std::string& model) {
  std::lock_guard lock(mu_);
  if (unavailable_) return Down();
  auto it = items_.find(id);
  if (it == items_.end()) return common::NotFoundError("no item " + id);
  it->second.embedding = embedding;
  it->second.embedding_model = model;
  return common::OkStatus();
}

common::Result<std::optional<storage::NegotiationRecord>> FakeStore::FindNegotiation(
    const std::string& request_id) {
  std::lock_guard lock(mu_);
  if (unavailable_) return Down();
  auto it = negotiations_.find(request_id);
  if (it == negotiations_.end()) return std::optional<storage::NegotiationRecord>();
  return std::optional<storage::NegotiationRecord>(it->second);
}

common::Status FakeStore::InsertNegotiation(const storage::NegotiationRecord& record) {
  std::function<void(const storage::NegotiationRecord&)> hook;
  {
    std::lock_guard lock(mu_);
    hook = before_insert_;
  }
  if (hook) hook(record);
  std::lock_guard lock(mu_);
  if (unavailable_) return Down();
  if (!negotiations_.emplace(record.request_id, record).second) {
    return common::AlreadyExistsError("request_id " + record.request_id + " exists");
  }
  ++inserts_;
  return common::OkStatus();
}

common::Result<int64_t> FakeStore::CountValidNegotiations(int64_t now_unix) {
  std::lock_guard lock(mu_);
  if (unavailable_) return Down();
  int64_t n = 0;
  for (const auto& [id, r] : negotiations_) n += r.valid_until > now_unix ? 1 : 0;
  return n;
}

void FakeStore::PutItem(storage::Item item) {
  std::lock_guard lock(mu_);
  items_[item.id] = std::move(item);
}

void FakeStore::SetUnavailable(bool unavailable) {
  std::lock_guard lock(mu_);
  unavailable_ = unavailable;
}

void FakeStore::SetBeforeInsert(std::function<void(const storage::NegotiationRecord&)> hook) {
  std::lock_guard lock(mu_);
  before_insert_ = std::move(hook);
}

int FakeStore::insert_count() const {
  std::lock_guard lock(mu_);
  return inserts_;
}

std::vector<storage::NegotiationRecord> FakeStore::negotiations() const {
  std::lock_guard lock(mu_);
  std::vector<storage::NegotiationRecord> out;
  for (const auto& [id, r] : negotiations_) out.push_back(r);
  return out;
}

}  // namespace aura::core::testing
