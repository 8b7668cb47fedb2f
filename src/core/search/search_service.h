// File: core/search/search_service.h
//
// SearchService: semantic search over the inventory, the logic behind the
// gRPC `Search` method (no gRPC types here; core/service maps SearchHit onto
// SearchResultItem and Status onto grpc::Status).
//
// It owns the embedder, an HNSW VectorIndex of every active item's embedding
// and the Semantic Nectar cache. Start() loads the inventory from the Store —
// embedding (and storing, with Store::SetEmbedding) every item whose stored
// embedding was made by another model or is missing — and then keeps the
// index current by polling the store every refresh_interval for what changed
// (Refresh(), Store::ListItemsUpdatedSince), so every core replica sees
// changes made through any other, with SQLite and PostgreSQL alike, without
// listing the whole inventory on every poll.
//
//   SearchServiceOptions options = SearchServiceOptionsFromConfig(config);
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<SearchService> search,
//                         SearchService::Create(options, store));
//   AURA_RETURN_IF_ERROR(search->Start());           // initial load + poller
//   AURA_ASSIGN_OR_RETURN(std::vector<SearchHit> hits,
//                         search->Search("inexpensive lodging for surfers", 0, 0.0));
//   SearchCacheStats stats = search->CacheStats();   // stats.HitRate() -> cache_hit_rate
//   search->Shutdown();                              // also done by the destructor
//
// Search rules: `limit` 0 means 5 (the gRPC default), otherwise it must be
// 1..50; results are active items only, best first (ties by item id). With an
// embedder that knows words (the local word vectors) the index's best
// candidates are re-ranked by TermReranker, and `similarity` is its score: a
// weighted mean of the whole-text cosine and the query words' best matches
// among the item's words, still a cosine-like value in [-1, 1]; otherwise it
// is the cosine. `min_similarity` in [-1, 1] cuts on that value. Control
// characters and invalid UTF-8 are removed from the query first. A query whose
// words the embedder does not know at all has no meaning to compare and gets
// an empty answer (the hashing fallback embedder knows every word).
//
// Thread-safe: Search runs concurrently with itself and with Refresh.
//
// Spans: `search.query` (attributes aura.search.limit, aura.search.min_similarity,
// aura.search.cache = exact|near|miss, aura.search.results) with children
// `search.embed` and `search.index`; `search.refresh` (a root span) when a poll
// finds changes, with aura.search.complete (a whole listing), aura.search.changed,
// aura.search.indexed / aura.search.removed / aura.search.embedded.
//
// Status codes of Search: INVALID_ARGUMENT for an empty or whitespace-only
// query ("query must not be empty"), a query over max_query_bytes, a limit
// outside 1..50 or a min_similarity outside [-1, 1]; FAILED_PRECONDITION
// before Start(); UNAVAILABLE / DEADLINE_EXCEEDED when a remote embedder
// cannot embed the query. Start and Refresh return the store's errors
// (UNAVAILABLE) and the embedder's.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/config/config.h"
#include "common/status.h"
#include "core/search/embedder.h"
#include "core/search/embedder_factory.h"
#include "core/search/redis_result_cache.h"
#include "core/search/result_cache.h"
#include "core/search/search_types.h"
#include "core/search/semantic_cache.h"
#include "core/search/term_reranker.h"
#include "core/search/vector_index.h"
#include "storage/store.h"
#include "telemetry/api/tracer.h"

namespace aura::core::search {

struct SearchServiceOptions {
  EmbedderOptions embedder;
  // dimensions is taken from the embedder.
  VectorIndexOptions index;
  // The word-level re-ranking of the index's best candidates (term_reranker.h);
  // used when the embedder knows words (the local word vectors).
  TermRerankOptions rerank;
  SemanticCacheOptions cache;
  MemoryResultCacheOptions memory_cache;
  // Empty: cache in process. Otherwise the Redis URL (`redis://…`).
  std::string redis_url;
  RedisResultCacheOptions redis;
  int default_limit = 5;
  int max_limit = 50;
  // Longer queries are refused: no real question is this long, and it bounds
  // the work an anonymous request can cause.
  size_t max_query_bytes = 4096;
  size_t snippet_bytes = 160;
  // How often the background poller looks for inventory changes.
  std::chrono::milliseconds refresh_interval{5000};
  // Polls read only what changed (Store::ListItemsUpdatedSince); at most this
  // often one lists the whole inventory instead, to notice items deleted from
  // the database behind the Store's back (the Store has no delete).
  // 0 = only the first load is complete.
  std::chrono::milliseconds full_refresh_interval{std::chrono::minutes(10)};
  // Texts per EmbedBatch call when (re-)embedding the inventory.
  size_t embed_batch = 32;
  // Called while (re-)embedding: (done, total). Null = a progress line on
  // stderr when it is a terminal, and log lines either way.
  std::function<void(size_t done, size_t total)> progress;
};

// Options from the hive's configuration: embedder model config.core.embedding_model
// ("local", "hashing" or a remote model), redis_url config.database.redis_url,
// vectors files `<data_dir>/word-vectors/wink-sg-100d.awv` then
// `third_party/word-vectors/wink-sg-100d.awv` (relative to the working
// directory: the place scripts/setup.sh fetches them to).
SearchServiceOptions SearchServiceOptionsFromConfig(const common::Config& config);

// The text of an item that is embedded: name, description, and the string
// values of its meta (location, category, amenities...).
std::string ItemText(const storage::Item& item);

// What the service is serving, for logs, health and tests.
struct SearchServiceStatus {
  std::string embedding_model;
  int dimensions = 0;
  size_t indexed_items = 0;
  uint64_t inventory_version = 0;
  bool started = false;
  uint64_t refreshes = 0;
  uint64_t items_embedded = 0;  // (re-)embedded by this process
  uint64_t complete_refreshes = 0;  // refreshes that listed the whole inventory
  uint64_t items_read = 0;          // items the store returned to all refreshes
  size_t index_memory_bytes = 0;
};

class SearchService {
 public:
  // Builds the embedder (MakeEmbedder) and the cache (Redis when redis_url is
  // set, else in process); loads nothing yet. `store` and `clock` must
  // outlive the service. `remote` builds the backend of a remote embedding
  // model. INVALID_ARGUMENT for a bad Redis URL; MakeEmbedder's errors.
  static common::Result<std::unique_ptr<SearchService>> Create(
      SearchServiceOptions options, storage::Store& store,
      const common::Clock& clock = common::SystemClock::Instance(),
      const EmbeddingsBackendFactory& remote = nullptr);

  // Assembles a service from parts (tests, benchmarks, the eval tool).
  SearchService(SearchServiceOptions options, storage::Store& store,
                std::unique_ptr<Embedder> embedder, std::unique_ptr<ResultCache> cache,
                const common::Clock& clock = common::SystemClock::Instance());
  ~SearchService();
  SearchService(const SearchService&) = delete;
  SearchService& operator=(const SearchService&) = delete;

  // Loads the inventory (Refresh) and, when refresh_interval > 0, starts the
  // poller thread. Idempotent. The initial load's error is returned (and the
  // service stays unstarted) so the core can fail or retry start-up.
  common::Status Start();
  // Stops the poller. Idempotent; Search keeps working on the last state.
  void Shutdown();

  // See the file comment.
  common::Result<std::vector<SearchHit>> Search(std::string_view query, int limit = 0,
                                                double min_similarity = 0.0);

  // Reads what changed in the store since the last call
  // (Store::ListItemsUpdatedSince with the cursor it returned) and applies it:
  // new and changed items are (re-)embedded when needed and indexed,
  // deactivated ones leave the index, and the inventory version changes so
  // cached answers are no longer served. Cheap when nothing changed (one
  // indexed query that returns nothing). The first call, and one every
  // full_refresh_interval, lists the whole inventory (as FullRefresh). Safe to
  // call from any thread at any time.
  common::Status Refresh();
  // Refresh from a complete listing: also removes items that vanished from
  // the database without a Store write (deleted by hand).
  common::Status FullRefresh();

  SearchCacheStats CacheStats() const { return cache_.Stats(); }
  // Drops every cached answer.
  void ClearCache() { cache_.Clear(); }
  SearchServiceStatus Describe() const;
  const Embedder& embedder() const { return *embedder_; }

 private:
  struct Entry {
    std::string name;
    double base_price = 0;
    std::string snippet;
    int64_t updated_at = 0;
    uint64_t embedding_hash = 0;
    ItemTerms terms;  // for the re-ranker; empty without one
  };
  common::Result<std::vector<SearchHit>> SearchTraced(std::string_view query, int limit,
                                                      double min_similarity, telemetry::ScopedSpan& span);
  common::Status RefreshFrom(bool complete);
  common::Status EmbedMissing(std::vector<storage::Item>& items);
  void ReportProgress(size_t done, size_t total, bool final);
  void PollLoop(std::stop_token stop);

  SearchServiceOptions options_;
  telemetry::Tracer tracer_{"aura.core.search"};
  storage::Store& store_;
  const common::Clock& clock_;
  std::unique_ptr<Embedder> embedder_;
  SemanticCache cache_;

  std::mutex refresh_mu_;  // one Refresh at a time
  mutable std::shared_mutex mu_;
  std::shared_ptr<VectorIndex> index_;       // guarded by mu_; null until dims are known
  std::unique_ptr<TermReranker> reranker_;   // null = rank by cosine; its table guarded by mu_
  std::map<std::string, Entry> entries_;     // indexed items; guarded by mu_
  std::atomic<uint64_t> inventory_version_{0};
  std::atomic<bool> started_{false};
  std::atomic<uint64_t> refreshes_{0};
  std::atomic<uint64_t> items_embedded_{0};
  bool last_refresh_failed_ = false;  // guarded by refresh_mu_
  // What the last refresh left us holding, guarded by refresh_mu_: the store's
  // change cursor (0 = none yet), every listed item's ItemHash (active or
  // not) and their XOR, and when the inventory was last listed whole.
  int64_t change_cursor_ = 0;
  std::unordered_map<std::string, uint64_t> item_hashes_;
  uint64_t items_xor_ = 0;
  common::Clock::TimePoint last_complete_refresh_{};
  std::atomic<uint64_t> complete_refreshes_{0};
  std::atomic<uint64_t> items_read_{0};

  std::mutex poll_mu_;
  std::condition_variable_any poll_cv_;
  std::jthread poller_;  // guarded by poll_mu_ for Start/Shutdown
};

}  // namespace aura::core::search
