// File: core/search/result_cache.h
//
// ResultCache: where the Semantic Nectar cache keeps search answers, by
// string key with a time to live. Two backends:
//   - MemoryResultCache (here): in-process LRU bounded by entries and bytes;
//   - RedisResultCache (redis_result_cache.h): shared by every core replica.
// SemanticCache (semantic_cache.h) decides keys, near matches and counters.
//
//   MemoryResultCache cache({.max_entries = 1024}, clock);
//   cache.Put("k", hits, std::chrono::seconds(300));
//   auto got = cache.Get("k");   // Result<std::optional<std::vector<SearchHit>>>
//
// Thread-safe. Status codes: UNAVAILABLE when a remote backend cannot be
// reached (callers then answer uncached).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/search/search_types.h"

namespace aura::core::search {

class ResultCache {
 public:
  virtual ~ResultCache() = default;
  // The entry, or nullopt when absent or expired.
  virtual common::Result<std::optional<std::vector<SearchHit>>> Get(const std::string& key) = 0;
  virtual common::Status Put(const std::string& key, const std::vector<SearchHit>& hits,
                             std::chrono::milliseconds ttl) = 0;
  // Drops every entry this process can reach (Redis: only keys under its prefix).
  virtual common::Status Clear() = 0;
  // Counters the backend keeps itself: entries, bytes, redis, degraded.
  virtual SearchCacheStats BackendStats() const = 0;
};

struct MemoryResultCacheOptions {
  size_t max_entries = 1024;
  size_t max_bytes = 8 * 1024 * 1024;
};

// In-process LRU with a TTL per entry. Thread-safe (one mutex; O(1) per call).
class MemoryResultCache final : public ResultCache {
 public:
  // `clock` must outlive the cache.
  MemoryResultCache(MemoryResultCacheOptions options, const common::Clock& clock);

  common::Result<std::optional<std::vector<SearchHit>>> Get(const std::string& key) override;
  common::Status Put(const std::string& key, const std::vector<SearchHit>& hits,
                     std::chrono::milliseconds ttl) override;
  common::Status Clear() override;
  SearchCacheStats BackendStats() const override;

 private:
  struct Entry {
    std::string key;
    std::vector<SearchHit> hits;
    common::Clock::TimePoint expires;
    size_t bytes = 0;
  };
  void EraseLocked(std::list<Entry>::iterator it);

  MemoryResultCacheOptions options_;
  const common::Clock& clock_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first; guarded by mu_
  std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;  // guarded by mu_
  size_t bytes_ = 0;  // guarded by mu_
};

// Approximate memory of one cached answer.
size_t ApproximateBytes(const std::string& key, const std::vector<SearchHit>& hits);

}  // namespace aura::core::search
