#include "core/search/testing/fake_item_store.h"

#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace aura::core::search::testing {

common::Result<storage::Item> FakeItemStore::FindItem(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = items_.find(id);
  if (it == items_.end()) return common::NotFoundError("item " + id + " not found");
  return it->second;
}

common::Result<std::vector<storage::Item>> FakeItemStore::ListItems(bool active_only) {
  list_calls_.fetch_add(1);
  if (fail_list_.load()) return common::UnavailableError("fake store: database down");
  std::lock_guard lock(mu_);
  std::vector<storage::Item> out;
  for (const auto& [id, item] : items_) {
    if (!active_only || item.active) out.push_back(item);
  }
  return out;
}

common::Result<storage::ItemChanges> FakeItemStore::ListItemsUpdatedSince(int64_t cursor) {
  changes_calls_.fetch_add(1);
  if (cursor == 0) complete_calls_.fetch_add(1);
  if (fail_list_.load()) return common::UnavailableError("fake store: database down");
  std::lock_guard lock(mu_);
  storage::ItemChanges changes;
  changes.next_cursor = revision_ + 1;
  for (const auto& [id, item] : items_) {
    if (revisions_.at(id) >= cursor) changes.items.push_back(item);
  }
  changed_items_returned_.fetch_add(static_cast<int64_t>(changes.items.size()));
  return changes;
}

common::Status FakeItemStore::UpsertItems(const std::vector<storage::Item>& items) {
  for (const storage::Item& item : items) Put(item);
  return common::OkStatus();
}

common::Status FakeItemStore::SetEmbedding(const std::string& id, const std::vector<float>& embedding,
                                           const std::string& model) {
  set_embedding_calls_.fetch_add(1);
  std::lock_guard lock(mu_);
  auto it = items_.find(id);
  if (it == items_.end()) return common::NotFoundError("item " + id + " not found");
  it->second.embedding = embedding;
  it->second.embedding_model = model;
  return common::OkStatus();
}

common::Result<std::optional<storage::NegotiationRecord>> FakeItemStore::FindNegotiation(
    const std::string&) {
  return common::UnimplementedError("fake item store has no negotiations");
}

common::Status FakeItemStore::InsertNegotiation(const storage::NegotiationRecord&) {
  return common::UnimplementedError("fake item store has no negotiations");
}

common::Result<int64_t> FakeItemStore::CountValidNegotiations(int64_t) {
  return common::UnimplementedError("fake item store has no negotiations");
}

void FakeItemStore::Put(storage::Item item) {
  std::lock_guard lock(mu_);
  item.updated_at = ++stamp_;
  if (item.created_at == 0) item.created_at = item.updated_at;
  revisions_[item.id] = ++revision_;
  items_[item.id] = std::move(item);
}

void FakeItemStore::Erase(const std::string& id) {
  std::lock_guard lock(mu_);
  items_.erase(id);
  revisions_.erase(id);
}

void FakeItemStore::SetActive(const std::string& id, bool active) {
  std::lock_guard lock(mu_);
  auto it = items_.find(id);
  if (it == items_.end()) return;
  it->second.active = active;
  it->second.updated_at = ++stamp_;
  revisions_[id] = ++revision_;
}

common::Result<std::vector<storage::Item>> LoadInventoryFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return common::NotFoundError("cannot read inventory file " + path);
  try {
    const nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<storage::Item> items;
    for (const auto& j : doc) {
      storage::Item item;
      item.id = j.at("id").get<std::string>();
      item.name = j.at("name").get<std::string>();
      item.description = j.value("description", "");
      item.base_price = j.at("base_price").get<double>();
      item.floor_price = j.at("floor_price").get<double>();
      item.active = j.value("active", true);
      if (j.contains("meta")) item.meta_json = j.at("meta").dump();
      items.push_back(std::move(item));
    }
    return items;
  } catch (const std::exception& e) {
    return common::InvalidArgumentError("inventory file " + path + ": " + e.what());
  }
}

}  // namespace aura::core::search::testing
