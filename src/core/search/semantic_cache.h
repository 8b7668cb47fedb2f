// File: core/search/semantic_cache.h
//
// SemanticCache — the "Semantic Nectar" cache: remembers search answers and
// serves them again for the same question, even when it is worded slightly
// differently.
//
//   1. Exact: the key is the normalised query (CleanQuery + lower case) with
//      the limit, the min_similarity and the inventory version, so
//      "Cheap  Hostel" and "cheap hostel" share an answer, and every answer
//      made before an inventory change is unreachable after it.
//   2. Near: the embeddings of the most recent distinct queries are kept in
//      process; a query whose embedding has cosine >= near_threshold (0.97)
//      with one of them under the same limit, min_similarity and inventory
//      version gets that query's answer ("cheap hostels" ~ "cheap hostel").
//
// Answers live in a ResultCache: in process (bounded LRU + TTL) or in Redis,
// shared by all replicas. A failing backend never fails a search: the lookup
// counts as an error and a miss, and the caller answers from the index.
//
//   SemanticCache cache(options, std::make_unique<MemoryResultCache>(...), clock);
//   CacheScope scope{.limit = 5, .min_similarity = 0, .inventory_version = v};
//   if (auto hits = cache.LookupExact(norm_query, scope)) return *hits;
//   ... embed ...
//   if (auto hits = cache.LookupNear(embedding, scope)) return *hits;
//   ... search ...
//   cache.Store(norm_query, scope, embedding, hits);
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/search/result_cache.h"
#include "core/search/search_types.h"

namespace aura::core::search {

struct SemanticCacheOptions {
  std::chrono::milliseconds ttl{std::chrono::minutes(5)};
  // Cosine similarity of two query embeddings above which they share an answer;
  // > 1 turns near matching off.
  double near_threshold = 0.97;
  // How many recent query embeddings near matching compares against.
  size_t recent_queries = 256;
};

// What besides the query decides an answer.
struct CacheScope {
  int limit = 5;
  double min_similarity = 0;
  uint64_t inventory_version = 0;
  // The sign of the query's price intent (term_reranker.h): −1 cheap, +1
  // luxury, 0 neither. Only near hits compare it ("cheap X" and "luxury X"
  // can embed close together but rank differently); an exact key's query
  // text already decides it, so it is not part of the key.
  int price_side = 0;
  friend bool operator==(const CacheScope&, const CacheScope&) = default;
};

class SemanticCache {
 public:
  // `clock` must outlive the cache.
  SemanticCache(SemanticCacheOptions options, std::unique_ptr<ResultCache> backend,
                const common::Clock& clock);
  SemanticCache(const SemanticCache&) = delete;
  SemanticCache& operator=(const SemanticCache&) = delete;

  // The answer cached for exactly this normalised query, counted as an exact
  // hit; nullopt otherwise (not yet counted as a miss: LookupNear follows).
  std::optional<std::vector<SearchHit>> LookupExact(const std::string& normalized_query,
                                                    const CacheScope& scope);
  // The answer of a recent query within near_threshold, counted as a near hit;
  // nullopt counts a miss.
  std::optional<std::vector<SearchHit>> LookupNear(const std::vector<float>& query_embedding,
                                                   const CacheScope& scope);
  // Remembers an answer (and the query's embedding for near matching).
  void Store(const std::string& normalized_query, const CacheScope& scope,
             const std::vector<float>& query_embedding, const std::vector<SearchHit>& hits);
  // Forgets everything this process can reach (tests, operator action).
  // Inventory changes need no call: their new version makes old keys unreachable.
  void Clear();
  // Counts a lookup that bypassed the cache as a miss (a query with no
  // meaning, whose answer is empty anyway).
  void CountMiss();

  SearchCacheStats Stats() const;

  // The backend key of a query in a scope.
  static std::string Key(const std::string& normalized_query, const CacheScope& scope);

 private:
  struct Recent {
    std::string normalized_query;
    CacheScope scope;
    std::vector<float> embedding;
    common::Clock::TimePoint expires;
  };
  void CountError(const common::Status& status);

  SemanticCacheOptions options_;
  std::unique_ptr<ResultCache> backend_;
  const common::Clock& clock_;
  mutable std::mutex mu_;
  std::deque<Recent> recent_;  // newest first; guarded by mu_
  uint64_t exact_hits_ = 0;    // guarded by mu_
  uint64_t near_hits_ = 0;     // guarded by mu_
  uint64_t misses_ = 0;        // guarded by mu_
  uint64_t errors_ = 0;        // guarded by mu_
};

}  // namespace aura::core::search
