#include "storage/memory/memory_store.h"

#include <mutex>

#include "storage/migrations/migrations.h"
#include "storage/validation.h"

namespace aura::storage {

MemoryStore::MemoryStore(const StoreOptions& options)
    : clock_(options.clock != nullptr ? *options.clock : common::SystemClock::Instance()) {}

Result<int> MemoryStore::Migrate() { return LatestSchemaVersion(); }

Result<Item> MemoryStore::FindItem(const std::string& id) {
  std::shared_lock lock(mu_);
  auto it = items_.find(id);
  if (it == items_.end()) return common::NotFoundError("item '" + id + "' not found");
  return it->second;
}

Result<std::vector<Item>> MemoryStore::ListItems(bool active_only) {
  std::shared_lock lock(mu_);
  std::vector<Item> out;
  out.reserve(items_.size());
  for (const auto& [id, item] : items_) {
    if (!active_only || item.active) out.push_back(item);
  }
  return out;
}

Status MemoryStore::UpsertItems(const std::vector<Item>& items) {
  std::vector<Item> prepared;
  prepared.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    Status s = ValidateItem(items[i]);
    if (!s.ok()) {
      return common::InvalidArgumentError("item " + std::to_string(i + 1) + " ('" + items[i].id +
                                          "'): " + s.message());
    }
    Item item = items[i];
    item.meta_json = NormalizeJsonObject(item.meta_json).value();
    prepared.push_back(std::move(item));
  }
  const int64_t now = clock_.NowUnixSeconds();
  std::unique_lock lock(mu_);
  for (Item& item : prepared) {
    revisions_[item.id] = ++last_revision_;
    auto it = items_.find(item.id);
    item.updated_at = now;
    if (it == items_.end()) {
      item.created_at = now;
      items_.emplace(item.id, std::move(item));
      continue;
    }
    item.created_at = it->second.created_at;
    if (item.embedding.empty() && item.name == it->second.name &&
        item.description == it->second.description) {
      item.embedding = std::move(it->second.embedding);
      item.embedding_model = std::move(it->second.embedding_model);
    } else if (item.embedding.empty()) {
      item.embedding_model.clear();
    }
    it->second = std::move(item);
  }
  return common::OkStatus();
}

Result<ItemChanges> MemoryStore::ListItemsUpdatedSince(int64_t cursor) {
  std::shared_lock lock(mu_);
  ItemChanges changes;
  changes.next_cursor = last_revision_ + 1;
  for (const auto& [id, item] : items_) {
    if (revisions_.at(id) >= cursor) changes.items.push_back(item);
  }
  return changes;
}

Status MemoryStore::SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                                 const std::string& model) {
  std::unique_lock lock(mu_);
  auto it = items_.find(id);
  if (it == items_.end()) return common::NotFoundError("item '" + id + "' not found");
  it->second.embedding = embedding;
  it->second.embedding_model = model;
  return common::OkStatus();
}

Result<std::optional<NegotiationRecord>> MemoryStore::FindNegotiation(
    const std::string& request_id) {
  std::shared_lock lock(mu_);
  auto it = negotiations_.find(request_id);
  if (it == negotiations_.end()) return std::optional<NegotiationRecord>();
  return std::optional<NegotiationRecord>(it->second);
}

Status MemoryStore::InsertNegotiation(const NegotiationRecord& record) {
  AURA_RETURN_IF_ERROR(ValidateNegotiation(record));
  std::unique_lock lock(mu_);
  if (!negotiations_.emplace(record.request_id, record).second) {
    return common::AlreadyExistsError("negotiation '" + record.request_id + "' already stored");
  }
  return common::OkStatus();
}

Result<int64_t> MemoryStore::CountValidNegotiations(int64_t now_unix) {
  std::shared_lock lock(mu_);
  int64_t count = 0;
  for (const auto& [id, record] : negotiations_) {
    if (record.valid_until > now_unix) ++count;
  }
  return count;
}

}  // namespace aura::storage
