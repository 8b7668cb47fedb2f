// File: core/search/search_types.h
//
// The values search hands out: one result (SearchHit) and the Semantic Nectar
// cache's counters (SearchCacheStats). Plain aggregates with ==.
#pragma once

#include <cstdint>
#include <string>

namespace aura::core::search {

// One search result; maps 1:1 onto the gRPC SearchResultItem.
struct SearchHit {
  std::string item_id;
  std::string name;
  double base_price = 0;
  // In [-1, 1]: the cosine of query and item embeddings, or, with the local
  // word vectors, the re-ranker's mix of that cosine and word matches.
  double similarity = 0;
  std::string description_snippet;
  friend bool operator==(const SearchHit&, const SearchHit&) = default;
};

// A snapshot of the search cache's counters since start-up.
struct SearchCacheStats {
  uint64_t exact_hits = 0;  // same normalised query, limit, min_similarity, inventory
  uint64_t near_hits = 0;   // a cached query's embedding within the cosine threshold
  uint64_t misses = 0;      // answered from the index
  uint64_t errors = 0;      // cache backend failures (search answered uncached)
  uint64_t entries = 0;     // entries held in process (0 for Redis: it holds them)
  uint64_t bytes = 0;       // approximate bytes of those entries
  bool redis = false;       // the backend is Redis
  bool degraded = false;    // Redis configured but unreachable now: answering uncached
  // (exact + near) / (exact + near + misses); 0 before the first search.
  double HitRate() const {
    const uint64_t lookups = exact_hits + near_hits + misses;
    return lookups == 0 ? 0.0 : static_cast<double>(exact_hits + near_hits) / static_cast<double>(lookups);
  }
  friend bool operator==(const SearchCacheStats&, const SearchCacheStats&) = default;
};

}  // namespace aura::core::search
