#include "core/search/result_cache.h"

namespace aura::core::search {

size_t ApproximateBytes(const std::string& key, const std::vector<SearchHit>& hits) {
  size_t bytes = 2 * key.size() + 128;  // the key is held twice (list and map), plus nodes
  for (const SearchHit& h : hits) {
    bytes += sizeof(SearchHit) + h.item_id.size() + h.name.size() + h.description_snippet.size();
  }
  return bytes;
}

MemoryResultCache::MemoryResultCache(MemoryResultCacheOptions options, const common::Clock& clock)
    : options_(options), clock_(clock) {}

void MemoryResultCache::EraseLocked(std::list<Entry>::iterator it) {
  bytes_ -= it->bytes;
  by_key_.erase(it->key);
  lru_.erase(it);
}

common::Result<std::optional<std::vector<SearchHit>>> MemoryResultCache::Get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return std::optional<std::vector<SearchHit>>();
  auto it = found->second;
  if (clock_.Now() >= it->expires) {
    EraseLocked(it);
    return std::optional<std::vector<SearchHit>>();
  }
  lru_.splice(lru_.begin(), lru_, it);
  return std::optional<std::vector<SearchHit>>(it->hits);
}

common::Status MemoryResultCache::Put(const std::string& key, const std::vector<SearchHit>& hits,
                                      std::chrono::milliseconds ttl) {
  const size_t bytes = ApproximateBytes(key, hits);
  if (bytes > options_.max_bytes || options_.max_entries == 0 || ttl.count() <= 0) {
    return common::OkStatus();  // would never fit: not cached
  }
  std::lock_guard lock(mu_);
  if (auto found = by_key_.find(key); found != by_key_.end()) EraseLocked(found->second);
  lru_.push_front(Entry{key, hits, clock_.Now() + ttl, bytes});
  by_key_.emplace(key, lru_.begin());
  bytes_ += bytes;
  while (!lru_.empty() && (lru_.size() > options_.max_entries || bytes_ > options_.max_bytes)) {
    EraseLocked(std::prev(lru_.end()));
  }
  return common::OkStatus();
}

common::Status MemoryResultCache::Clear() {
  std::lock_guard lock(mu_);
  lru_.clear();
  by_key_.clear();
  bytes_ = 0;
  return common::OkStatus();
}

SearchCacheStats MemoryResultCache::BackendStats() const {
  std::lock_guard lock(mu_);
  SearchCacheStats s;
  s.entries = lru_.size();
  s.bytes = bytes_;
  return s;
}

}  // namespace aura::core::search
