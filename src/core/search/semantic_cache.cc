#include "core/search/semantic_cache.h"

#include <cstdio>

#include "common/log/log.h"
#include "core/search/embedder.h"

namespace aura::core::search {

SemanticCache::SemanticCache(SemanticCacheOptions options, std::unique_ptr<ResultCache> backend,
                             const common::Clock& clock)
    : options_(options), backend_(std::move(backend)), clock_(clock) {}

std::string SemanticCache::Key(const std::string& normalized_query, const CacheScope& scope) {
  char head[96];
  std::snprintf(head, sizeof(head), "v1:%016llx:%d:%.6g:",
                static_cast<unsigned long long>(scope.inventory_version), scope.limit,
                scope.min_similarity);
  return head + normalized_query;
}

void SemanticCache::CountError(const common::Status& status) {
  std::lock_guard lock(mu_);
  ++errors_;
  if (status.code() != common::StatusCode::kUnavailable) {
    AURA_LOG_WARNING("search.cache_error").With("error", status.ToString());
  }
}

std::optional<std::vector<SearchHit>> SemanticCache::LookupExact(const std::string& normalized_query,
                                                                 const CacheScope& scope) {
  auto got = backend_->Get(Key(normalized_query, scope));
  if (!got.ok()) {
    CountError(got.status());
    return std::nullopt;
  }
  if (!got->has_value()) return std::nullopt;
  std::lock_guard lock(mu_);
  ++exact_hits_;
  return std::move(*got).value();
}

std::optional<std::vector<SearchHit>> SemanticCache::LookupNear(
    const std::vector<float>& query_embedding, const CacheScope& scope) {
  std::string best_query;
  {
    std::lock_guard lock(mu_);
    const auto now = clock_.Now();
    float best = 0;
    for (auto it = recent_.begin(); it != recent_.end();) {
      if (now >= it->expires) {
        it = recent_.erase(it);
        continue;
      }
      if (it->scope == scope && it->embedding.size() == query_embedding.size()) {
        const float cos = Dot(it->embedding, query_embedding);
        if (cos >= options_.near_threshold && cos > best) {
          best = cos;
          best_query = it->normalized_query;
        }
      }
      ++it;
    }
    if (best_query.empty()) {
      ++misses_;
      return std::nullopt;
    }
  }
  auto got = backend_->Get(Key(best_query, scope));
  if (!got.ok()) CountError(got.status());
  std::lock_guard lock(mu_);
  if (!got.ok() || !got->has_value()) {
    ++misses_;  // evicted or expired in the backend, or the backend failed
    return std::nullopt;
  }
  ++near_hits_;
  return std::move(*got).value();
}

void SemanticCache::Store(const std::string& normalized_query, const CacheScope& scope,
                          const std::vector<float>& query_embedding,
                          const std::vector<SearchHit>& hits) {
  if (Status st = backend_->Put(Key(normalized_query, scope), hits, options_.ttl); !st.ok()) {
    CountError(st);
    return;
  }
  if (IsZero(query_embedding) || options_.recent_queries == 0) return;
  std::lock_guard lock(mu_);
  for (auto it = recent_.begin(); it != recent_.end(); ++it) {
    if (it->normalized_query == normalized_query && it->scope == scope) {
      recent_.erase(it);
      break;
    }
  }
  recent_.push_front(Recent{normalized_query, scope, query_embedding, clock_.Now() + options_.ttl});
  while (recent_.size() > options_.recent_queries) recent_.pop_back();
}

void SemanticCache::Clear() {
  if (Status st = backend_->Clear(); !st.ok()) CountError(st);
  std::lock_guard lock(mu_);
  recent_.clear();
}

void SemanticCache::CountMiss() {
  std::lock_guard lock(mu_);
  ++misses_;
}

SearchCacheStats SemanticCache::Stats() const {
  SearchCacheStats s = backend_->BackendStats();
  std::lock_guard lock(mu_);
  s.exact_hits = exact_hits_;
  s.near_hits = near_hits_;
  s.misses = misses_;
  s.errors = errors_;
  return s;
}

}  // namespace aura::core::search
