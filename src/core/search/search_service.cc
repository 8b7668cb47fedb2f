#include "core/search/search_service.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "common/log/log.h"
#include "common/thread_name.h"
#include "core/search/text.h"
#include "core/search/word_vectors.h"

namespace aura::core::search {
namespace {

uint64_t Mix(uint64_t h, std::string_view bytes) {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  h ^= 0xFF;  // field separator
  h *= 0x100000001B3ULL;
  return h;
}

template <typename T>
uint64_t MixValue(uint64_t h, const T& value) {
  return Mix(h, std::string_view(reinterpret_cast<const char*>(&value), sizeof(value)));
}

uint64_t EmbeddingHash(const std::vector<float>& v) {
  return Mix(0xCBF29CE484222325ULL,
             std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
}

// One item's part of the inventory version: what search answers depend on.
// Stored-embedding bookkeeping is left out: one replica storing embeddings
// must not make the others' answers unreachable.
uint64_t ItemHash(const storage::Item& item) {
  uint64_t h = Mix(0xCBF29CE484222325ULL, item.id);
  h = MixValue(h, item.updated_at);
  h = MixValue(h, item.active);
  h = Mix(h, item.name);
  h = Mix(h, item.description);
  h = MixValue(h, item.base_price);
  h = Mix(h, item.meta_json);
  return h;
}

// The inventory version is ModelHash ^ (XOR of every item's ItemHash): equal on
// every replica that has read the same inventory with the same embedding
// model (so their Redis keys agree), however it got there, and updated per
// changed item without rereading the others.
uint64_t ModelHash(const std::string& model) { return Mix(0xCBF29CE484222325ULL, model); }

void AppendMetaStrings(const nlohmann::json& value, std::string& out) {
  if (value.is_string()) {
    out += ". ";
    out += value.get<std::string>();
  } else if (value.is_array()) {
    for (const auto& v : value) AppendMetaStrings(v, out);
  }
}

}  // namespace

SearchServiceOptions SearchServiceOptionsFromConfig(const common::Config& config) {
  SearchServiceOptions options;
  options.embedder.model = config.core.embedding_model;
  const std::filesystem::path data_dir(config.data_dir);
  options.embedder.vectors_paths = {
      (data_dir / "word-vectors" / kWordVectorsFileName).string(),
      (std::filesystem::path("third_party") / "word-vectors" / kWordVectorsFileName).string(),
#ifdef AURA_SOURCE_WORD_VECTORS_PATH
      // A development build also finds the file set-up fetched into its source tree.
      AURA_SOURCE_WORD_VECTORS_PATH,
#endif
  };
  if (!config.core.word_vectors_path.empty()) {
    options.embedder.vectors_paths.insert(options.embedder.vectors_paths.begin(), config.core.word_vectors_path);
  }
  options.redis_url = config.database.redis_url;
  return options;
}

std::string ItemText(const storage::Item& item) {
  std::string text = item.name;
  text += ". ";
  text += item.description;
  try {
    const nlohmann::json meta = nlohmann::json::parse(item.meta_json);
    if (meta.is_object()) {
      for (const auto& [key, value] : meta.items()) AppendMetaStrings(value, text);
    }
  } catch (const std::exception&) {
    // meta is validated by the store; an unparsable one just adds nothing.
  }
  return text;
}

common::Result<std::unique_ptr<SearchService>> SearchService::Create(
    SearchServiceOptions options, storage::Store& store, const common::Clock& clock,
    const EmbeddingsBackendFactory& remote) {
  AURA_ASSIGN_OR_RETURN(std::unique_ptr<Embedder> embedder, MakeEmbedder(options.embedder, remote));
  std::unique_ptr<ResultCache> cache;
  if (!options.redis_url.empty()) {
    RedisResultCacheOptions redis = options.redis;
    redis.url = options.redis_url;
    AURA_ASSIGN_OR_RETURN(cache, MakeRedisResultCache(std::move(redis), clock));
  } else {
    cache = std::make_unique<MemoryResultCache>(options.memory_cache, clock);
  }
  return std::make_unique<SearchService>(std::move(options), store, std::move(embedder),
                                         std::move(cache), clock);
}

SearchService::SearchService(SearchServiceOptions options, storage::Store& store,
                             std::unique_ptr<Embedder> embedder, std::unique_ptr<ResultCache> cache,
                             const common::Clock& clock)
    : options_(std::move(options)),
      store_(store),
      clock_(clock),
      embedder_(std::move(embedder)),
      cache_(options_.cache, std::move(cache), clock) {
  if (options_.rerank.enabled && embedder_->WordTerms() != nullptr) {
    reranker_ = std::make_unique<TermReranker>(*embedder_->WordTerms(), options_.rerank);
  }
}

SearchService::~SearchService() { Shutdown(); }

common::Status SearchService::Start() {
  if (started_.load()) return common::OkStatus();
  AURA_RETURN_IF_ERROR(Refresh());
  std::lock_guard lock(poll_mu_);
  if (started_.exchange(true)) return common::OkStatus();
  if (options_.refresh_interval.count() > 0) {
    poller_ = std::jthread([this](std::stop_token stop) {
      common::SetCurrentThreadName("search-poll");
      PollLoop(stop);
    });
  }
  AURA_LOG_INFO("search.started")
      .With("model", embedder_->ModelName())
      .With("items", static_cast<int64_t>(Describe().indexed_items))
      .With("cache", options_.redis_url.empty() ? "memory" : "redis");
  return common::OkStatus();
}

void SearchService::Shutdown() {
  std::lock_guard lock(poll_mu_);
  if (poller_.joinable()) {
    poller_.request_stop();
    poll_cv_.notify_all();
    poller_.join();
  }
}

void SearchService::PollLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::mutex wait_mu;
      std::unique_lock wait_lock(wait_mu);
      // Returns early only when stop is requested.
      poll_cv_.wait_for(wait_lock, stop, options_.refresh_interval, [] { return false; });
    }
    if (stop.stop_requested()) break;
    try {
      (void)Refresh();  // failures are logged by Refresh (once per outage)
    } catch (const std::exception& e) {
      AURA_LOG_ERROR("search.refresh_crashed").With("error", e.what());
    }
  }
}

void SearchService::ReportProgress(size_t done, size_t total, bool final) {
  if (options_.progress) {
    options_.progress(done, total);
    return;
  }
  if (::isatty(STDERR_FILENO) != 0) {
    std::fprintf(stderr, "\rsearch: embedding inventory with %s: %zu/%zu%s",
                 embedder_->ModelName().c_str(), done, total, final ? "\n" : "");
    std::fflush(stderr);
  }
}

common::Status SearchService::EmbedMissing(std::vector<storage::Item>& items) {
  const std::string model = embedder_->ModelName();
  std::vector<storage::Item*> todo;
  for (storage::Item& item : items) {
    if (!item.active) continue;
    const int dims = embedder_->Dimensions();
    if (item.embedding_model != model || item.embedding.empty() ||
        (dims > 0 && static_cast<int>(item.embedding.size()) != dims)) {
      todo.push_back(&item);
    }
  }
  if (todo.empty()) return common::OkStatus();
  AURA_LOG_INFO("search.embedding_started")
      .With("model", model)
      .With("items", static_cast<int64_t>(todo.size()));
  const size_t batch = std::max<size_t>(options_.embed_batch, 1);
  for (size_t begin = 0; begin < todo.size(); begin += batch) {
    const size_t end = std::min(todo.size(), begin + batch);
    std::vector<std::string> texts;
    for (size_t i = begin; i < end; ++i) texts.push_back(ItemText(*todo[i]));
    AURA_ASSIGN_OR_RETURN(std::vector<std::vector<float>> vectors, embedder_->EmbedBatch(texts));
    for (size_t i = begin; i < end; ++i) {
      storage::Item& item = *todo[i];
      item.embedding = std::move(vectors[i - begin]);
      item.embedding_model = model;
      if (Status st = store_.SetEmbedding(item.id, item.embedding, model);
          !st.ok() && st.code() != common::StatusCode::kNotFound) {
        AURA_LOG_WARNING("search.embedding_not_stored").With("item_id", item.id).With("error", st.ToString());
      }
      items_embedded_.fetch_add(1);
    }
    ReportProgress(end, todo.size(), end == todo.size());
  }
  AURA_LOG_INFO("search.embedding_finished")
      .With("model", model)
      .With("items", static_cast<int64_t>(todo.size()));
  return common::OkStatus();
}

common::Status SearchService::Refresh() { return RefreshFrom(/*complete=*/false); }

common::Status SearchService::FullRefresh() { return RefreshFrom(/*complete=*/true); }

common::Status SearchService::RefreshFrom(bool complete) {
  std::lock_guard refresh_lock(refresh_mu_);
  const common::Clock::TimePoint now = clock_.Now();
  // A complete listing (cursor 0) on the first load, when asked for, and every
  // full_refresh_interval: only it notices items deleted from the database
  // behind the Store's back. Stores without change cursors always answer with
  // cursor 0, so every poll of theirs is complete.
  if (change_cursor_ == 0 || (options_.full_refresh_interval.count() > 0 &&
                              now - last_complete_refresh_ >= options_.full_refresh_interval)) {
    complete = true;
  }
  auto listed = store_.ListItemsUpdatedSince(complete ? 0 : change_cursor_);
  if (!listed.ok()) {
    if (!last_refresh_failed_) {
      AURA_LOG_WARNING("search.refresh_failed").With("error", listed.status().ToString());
    }
    last_refresh_failed_ = true;
    return listed.status();
  }
  storage::ItemChanges changes = std::move(listed).value();
  items_read_.fetch_add(changes.items.size());
  // What differs from what we hold: the answer may repeat unchanged items.
  std::vector<storage::Item> items;
  std::vector<uint64_t> hashes;
  std::set<std::string> listed_ids;
  for (storage::Item& item : changes.items) {
    if (complete) listed_ids.insert(item.id);
    const uint64_t hash = ItemHash(item);
    auto known = item_hashes_.find(item.id);
    if (known != item_hashes_.end() && known->second == hash) continue;
    hashes.push_back(hash);
    items.push_back(std::move(item));
  }
  std::vector<std::string> gone;
  if (complete) {
    for (const auto& [id, hash] : item_hashes_) {
      if (!listed_ids.contains(id)) gone.push_back(id);
    }
  }
  if (refreshes_.load() > 0 && items.empty() && gone.empty()) {
    change_cursor_ = changes.next_cursor;
    if (complete) last_complete_refresh_ = now;
    last_refresh_failed_ = false;
    return common::OkStatus();
  }
  auto span = tracer_.StartScopedSpan("search.refresh", {.new_root = true});
  span.SetAttribute("aura.search.complete", complete);
  const uint64_t embedded_before = items_embedded_.load();
  if (Status st = EmbedMissing(items); !st.ok()) {
    span.SetStatus(telemetry::StatusCode::kError, st.ToString());
    if (!last_refresh_failed_) {
      AURA_LOG_WARNING("search.refresh_failed").With("error", st.ToString());
    }
    last_refresh_failed_ = true;
    return st;  // cursor unchanged: the same changes are read again next time
  }
  last_refresh_failed_ = false;

  std::shared_ptr<VectorIndex> index;
  {
    std::unique_lock lock(mu_);
    if (!index_ && embedder_->Dimensions() > 0) {
      VectorIndexOptions index_options = options_.index;
      index_options.dimensions = embedder_->Dimensions();
      index_options.initial_capacity = std::max(index_options.initial_capacity, items.size() + 16);
      index_ = std::make_shared<VectorIndex>(index_options);
    }
    index = index_;
  }
  std::vector<const storage::Item*> to_upsert;
  size_t added = 0;
  size_t removed = 0;
  for (const storage::Item& item : items) {
    const bool usable = item.active && index &&
                        static_cast<int>(item.embedding.size()) == index->Dimensions() &&
                        !IsZero(item.embedding);
    uint64_t hash = 0;
    bool changed = true;
    {
      std::shared_lock lock(mu_);
      auto it = entries_.find(item.id);
      if (!usable) {
        changed = it != entries_.end();
      } else if (it != entries_.end()) {
        hash = EmbeddingHash(item.embedding);
        changed = it->second.updated_at != item.updated_at || it->second.name != item.name ||
                  it->second.base_price != item.base_price ||
                  it->second.embedding_hash != hash;
      }
    }
    if (!changed) continue;
    if (!usable) {
      {
        std::unique_lock lock(mu_);
        entries_.erase(item.id);
      }
      if (index) index->Remove(item.id);
      ++removed;
      continue;
    }
    to_upsert.push_back(&item);
  }
  if (!to_upsert.empty()) {
    std::vector<IndexEntry> batch;
    batch.reserve(to_upsert.size());
    for (const storage::Item* item : to_upsert) batch.push_back(IndexEntry{item->id, item->embedding});
    const std::vector<Status> statuses = index->UpsertBatch(batch);
    std::vector<std::pair<const storage::Item*, Entry>> fresh;
    std::vector<std::vector<Term>> words;  // the re-ranker's, parallel to fresh
    for (size_t i = 0; i < to_upsert.size(); ++i) {
      const storage::Item& item = *to_upsert[i];
      if (!statuses[i].ok()) {
        AURA_LOG_WARNING("search.index_failed").With("item_id", item.id).With("error", statuses[i].ToString());
        continue;
      }
      fresh.emplace_back(&item, Entry{item.name, item.base_price,
                                      Snippet(item.description, options_.snippet_bytes),
                                      item.updated_at, EmbeddingHash(item.embedding), {}});
      if (reranker_) words.push_back(reranker_->ItemWords(ItemText(item)));
    }
    std::unique_lock lock(mu_);
    for (size_t i = 0; i < fresh.size(); ++i) {
      auto& [item, entry] = fresh[i];
      if (reranker_) entry.terms = reranker_->Learn(words[i]);
      entries_[item->id] = std::move(entry);
    }
    added += fresh.size();
  }
  for (const std::string& id : gone) {
    bool was_indexed = false;
    {
      std::unique_lock lock(mu_);
      was_indexed = entries_.erase(id) > 0;
    }
    if (index) index->Remove(id);
    if (was_indexed) ++removed;
  }
  // The version follows the items we now hold.
  for (size_t i = 0; i < items.size(); ++i) {
    uint64_t& held = item_hashes_[items[i].id];
    items_xor_ ^= held ^ hashes[i];  // held is 0 for a new item
    held = hashes[i];
  }
  for (const std::string& id : gone) {
    items_xor_ ^= item_hashes_[id];
    item_hashes_.erase(id);
  }
  change_cursor_ = changes.next_cursor;
  if (complete) {
    last_complete_refresh_ = now;
    complete_refreshes_.fetch_add(1);
  }
  inventory_version_.store(ModelHash(embedder_->ModelName()) ^ items_xor_);
  refreshes_.fetch_add(1);
  span.SetAttribute("aura.search.changed", static_cast<int64_t>(items.size()))
      .SetAttribute("aura.search.indexed", static_cast<int64_t>(added))
      .SetAttribute("aura.search.removed", static_cast<int64_t>(removed))
      .SetAttribute("aura.search.embedded", static_cast<int64_t>(items_embedded_.load() - embedded_before));
  if (added > 0 || removed > 0) {
    AURA_LOG_INFO("search.index_updated")
        .With("indexed", static_cast<int64_t>(added))
        .With("removed", static_cast<int64_t>(removed))
        .With("items", static_cast<int64_t>(index ? index->Size() : 0));
  }
  return common::OkStatus();
}

common::Result<std::vector<SearchHit>> SearchService::Search(std::string_view query, int limit,
                                                             double min_similarity) {
  auto span = tracer_.StartScopedSpan("search.query");
  span.SetAttribute("aura.search.query_bytes", static_cast<int64_t>(query.size()))
      .SetAttribute("aura.search.limit", static_cast<int64_t>(limit))
      .SetAttribute("aura.search.min_similarity", min_similarity);
  auto result = SearchTraced(query, limit, min_similarity, span);
  if (result.ok()) {
    span.SetAttribute("aura.search.results", static_cast<int64_t>(result->size()));
  } else {
    span.SetStatus(telemetry::StatusCode::kError, result.status().ToString());
  }
  return result;
}

common::Result<std::vector<SearchHit>> SearchService::SearchTraced(std::string_view query, int limit,
                                                                   double min_similarity,
                                                                   telemetry::ScopedSpan& span) {
  if (query.size() > options_.max_query_bytes) {
    return common::InvalidArgumentError("query must be at most " +
                                        std::to_string(options_.max_query_bytes) + " bytes");
  }
  const std::string clean = CleanQuery(query);
  if (clean.empty()) return common::InvalidArgumentError("query must not be empty");
  if (limit == 0) limit = options_.default_limit;
  if (limit < 1 || limit > options_.max_limit) {
    return common::InvalidArgumentError("limit must be between 1 and " +
                                        std::to_string(options_.max_limit));
  }
  if (!std::isfinite(min_similarity) || min_similarity < -1.0 || min_similarity > 1.0) {
    return common::InvalidArgumentError("min_similarity must be between -1 and 1");
  }
  if (refreshes_.load() == 0) {
    return common::FailedPreconditionError("search index is not loaded yet");
  }

  const std::string normalized = NormalizeQuery(clean);
  const CacheScope scope{limit, min_similarity, inventory_version_.load()};
  if (auto cached = cache_.LookupExact(normalized, scope)) {
    span.SetAttribute("aura.search.cache", "exact").SetAttribute("aura.cache_hit", true);
    return std::move(*cached);
  }

  Result<std::vector<float>> embedded = common::InternalError("not embedded");
  {
    auto embed_span = tracer_.StartScopedSpan("search.embed");
    embed_span.SetAttribute("aura.search.model", embedder_->ModelName());
    embedded = embedder_->Embed(clean);
    if (!embedded.ok()) embed_span.SetStatus(telemetry::StatusCode::kError, embedded.status().ToString());
  }
  if (!embedded.ok()) return embedded.status();
  std::vector<float> embedding = std::move(embedded).value();
  std::shared_ptr<VectorIndex> index;
  {
    std::shared_lock lock(mu_);
    index = index_;
  }
  if (IsZero(embedding) || !index || static_cast<int>(embedding.size()) != index->Dimensions()) {
    cache_.CountMiss();
    span.SetAttribute("aura.search.cache", "miss").SetAttribute("aura.cache_hit", false);
    return std::vector<SearchHit>{};
  }
  // The query's words (and price intent) before the near lookup: a near hit
  // must ask for the same price side.
  const QueryTerms query_terms = reranker_ ? reranker_->Prepare(clean) : QueryTerms{};
  CacheScope near_scope = scope;
  near_scope.price_side = (query_terms.price_intent > 0) - (query_terms.price_intent < 0);
  if (auto cached = cache_.LookupNear(embedding, near_scope)) {
    span.SetAttribute("aura.search.cache", "near").SetAttribute("aura.cache_hit", true);
    return std::move(*cached);
  }
  span.SetAttribute("aura.search.cache", "miss").SetAttribute("aura.cache_hit", false);

  // With a re-ranker the index supplies more candidates than asked for, and
  // the re-ranker's score orders them.
  const size_t candidates = reranker_ ? std::max(static_cast<size_t>(limit), reranker_->options().candidates)
                                      : static_cast<size_t>(limit);
  Result<std::vector<Neighbor>> searched = common::InternalError("not searched");
  {
    auto index_span = tracer_.StartScopedSpan("search.index");
    index_span.SetAttribute("aura.search.items", static_cast<int64_t>(index->Size()))
        .SetAttribute("aura.search.candidates", static_cast<int64_t>(candidates));
    searched = index->Search(embedding, candidates);
  }
  AURA_ASSIGN_OR_RETURN(std::vector<Neighbor> neighbors, std::move(searched));
  std::vector<SearchHit> hits;
  {
    std::shared_lock lock(mu_);
    struct Scored {
      double similarity;
      const std::string* key;
      const Entry* entry;
    };
    std::vector<Scored> scored;
    scored.reserve(neighbors.size());
    for (const Neighbor& n : neighbors) {
      auto it = entries_.find(n.key);
      if (it == entries_.end()) continue;  // removed while we searched
      const double similarity =
          reranker_ ? reranker_->Score(query_terms, it->second.terms, n.similarity) : n.similarity;
      scored.push_back(Scored{similarity, &n.key, &it->second});
    }
    // Price intent ("inexpensive", "upscale"): a bounded bonus by where each
    // candidate's price sits among the candidates' (term_reranker.h).
    if (reranker_ && query_terms.price_intent != 0) {
      std::vector<double> prices;
      prices.reserve(scored.size());
      for (const Scored& s : scored) prices.push_back(s.entry->base_price);
      const std::vector<float> bonus =
          TermReranker::PriceBonuses(prices, query_terms.price_intent, reranker_->options().price_weight);
      for (size_t i = 0; i < scored.size(); ++i) {
        scored[i].similarity = std::min(1.0, scored[i].similarity + static_cast<double>(bonus[i]));
      }
    }
    std::erase_if(scored, [&](const Scored& s) { return s.similarity < min_similarity; });
    const size_t keep = std::min(scored.size(), static_cast<size_t>(limit));
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(),
                      [](const Scored& a, const Scored& b) {
                        return a.similarity != b.similarity ? a.similarity > b.similarity : *a.key < *b.key;
                      });
    hits.reserve(keep);
    for (size_t i = 0; i < keep; ++i) {
      const Scored& s = scored[i];
      hits.push_back(SearchHit{*s.key, s.entry->name, s.entry->base_price, s.similarity, s.entry->snippet});
    }
  }
  cache_.Store(normalized, near_scope, embedding, hits);
  return hits;
}

SearchServiceStatus SearchService::Describe() const {
  SearchServiceStatus s;
  s.embedding_model = embedder_->ModelName();
  s.dimensions = embedder_->Dimensions();
  s.inventory_version = inventory_version_.load();
  s.started = started_.load();
  s.refreshes = refreshes_.load();
  s.items_embedded = items_embedded_.load();
  s.complete_refreshes = complete_refreshes_.load();
  s.items_read = items_read_.load();
  std::shared_lock lock(mu_);
  if (index_) {
    s.indexed_items = index_->Size();
    s.index_memory_bytes = index_->MemoryBytes();
  }
  return s;
}

}  // namespace aura::core::search
