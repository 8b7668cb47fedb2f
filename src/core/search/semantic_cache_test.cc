#include "core/search/semantic_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/search/embedder.h"
#include "core/search/result_cache.h"

namespace aura::core::search {
namespace {

using std::chrono::seconds;

std::vector<SearchHit> Hits(const std::string& id) { return {SearchHit{id, "Name " + id, 50, 0.8, "Snip."}}; }

std::vector<float> Unit(std::vector<float> v) {
  NormalizeInPlace(v);
  return v;
}

class FailingCache : public ResultCache {
 public:
  common::Result<std::optional<std::vector<SearchHit>>> Get(const std::string&) override {
    return common::UnavailableError("down");
  }
  common::Status Put(const std::string&, const std::vector<SearchHit>&, std::chrono::milliseconds) override {
    return common::UnavailableError("down");
  }
  common::Status Clear() override { return common::UnavailableError("down"); }
  SearchCacheStats BackendStats() const override { return {.redis = true, .degraded = true}; }
};

class SemanticCacheTest : public ::testing::Test {
 protected:
  common::FakeClock clock_;
  SemanticCache cache_{{.ttl = seconds(60), .near_threshold = 0.97, .recent_queries = 4},
                       std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock_), clock_};
  CacheScope scope_{.limit = 5, .min_similarity = 0, .inventory_version = 1};
};

TEST_F(SemanticCacheTest, ServesAnExactHit) {
  EXPECT_FALSE(cache_.LookupExact("cheap hostel", scope_));
  cache_.Store("cheap hostel", scope_, Unit({1, 0, 0}), Hits("hostel_beta"));
  auto hit = cache_.LookupExact("cheap hostel", scope_);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit, Hits("hostel_beta"));
  EXPECT_EQ(cache_.Stats().exact_hits, 1u);
  EXPECT_EQ(cache_.Stats().entries, 1u);
}

TEST_F(SemanticCacheTest, ScopeIsPartOfTheKey) {
  cache_.Store("cheap hostel", scope_, Unit({1, 0, 0}), Hits("a"));
  EXPECT_FALSE(cache_.LookupExact("cheap hostel", {.limit = 3, .min_similarity = 0, .inventory_version = 1}));
  EXPECT_FALSE(cache_.LookupExact("cheap hostel", {.limit = 5, .min_similarity = 0.5, .inventory_version = 1}));
  EXPECT_FALSE(cache_.LookupExact("cheap hostel", {.limit = 5, .min_similarity = 0, .inventory_version = 2}));
}

TEST_F(SemanticCacheTest, ServesANearHitWithinTheThreshold) {
  cache_.Store("cheap hostel", scope_, Unit({1, 0.1f, 0}), Hits("hostel_beta"));
  auto near = cache_.LookupNear(Unit({1, 0.12f, 0}), scope_);  // cos ~ 0.9998
  ASSERT_TRUE(near);
  EXPECT_EQ(*near, Hits("hostel_beta"));
  EXPECT_FALSE(cache_.LookupNear(Unit({1, 1, 0}), scope_));  // cos ~ 0.77
  EXPECT_FALSE(cache_.LookupNear(Unit({1, 0.12f, 0}), {.limit = 5, .min_similarity = 0, .inventory_version = 2}));
  const SearchCacheStats s = cache_.Stats();
  EXPECT_EQ(s.near_hits, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_DOUBLE_EQ(s.HitRate(), 1.0 / 3.0);
}

TEST_F(SemanticCacheTest, NearHitsOnlyBetweenQueriesAskingForTheSamePriceSide) {
  CacheScope cheap = scope_;
  cheap.price_side = -1;
  CacheScope luxury = scope_;
  luxury.price_side = 1;
  cache_.Store("cheap hostel", cheap, Unit({1, 0.1f, 0}), Hits("hostel_beta"));
  EXPECT_FALSE(cache_.LookupNear(Unit({1, 0.12f, 0}), luxury));
  EXPECT_FALSE(cache_.LookupNear(Unit({1, 0.12f, 0}), scope_));
  EXPECT_TRUE(cache_.LookupNear(Unit({1, 0.12f, 0}), cheap));
  // The exact key is the query text's, whatever the side.
  EXPECT_TRUE(cache_.LookupExact("cheap hostel", scope_));
}

TEST_F(SemanticCacheTest, EntriesExpireAfterTheTtl) {
  cache_.Store("q", scope_, Unit({1, 0, 0}), Hits("a"));
  clock_.Advance(seconds(59));
  EXPECT_TRUE(cache_.LookupExact("q", scope_));
  EXPECT_TRUE(cache_.LookupNear(Unit({1, 0, 0}), scope_));
  clock_.Advance(seconds(2));
  EXPECT_FALSE(cache_.LookupExact("q", scope_));
  EXPECT_FALSE(cache_.LookupNear(Unit({1, 0, 0}), scope_));
  EXPECT_EQ(cache_.Stats().entries, 0u);
}

TEST_F(SemanticCacheTest, ClearForgetsEverything) {
  cache_.Store("q", scope_, Unit({1, 0, 0}), Hits("a"));
  cache_.Clear();
  EXPECT_FALSE(cache_.LookupExact("q", scope_));
  EXPECT_FALSE(cache_.LookupNear(Unit({1, 0, 0}), scope_));
}

TEST_F(SemanticCacheTest, KeepsOnlyTheMostRecentQueryEmbeddings) {
  for (int i = 0; i < 6; ++i) {
    std::vector<float> v(8, 0.0f);
    v[static_cast<size_t>(i)] = 1;
    cache_.Store("q" + std::to_string(i), scope_, v, Hits("a"));
  }
  std::vector<float> first(8, 0.0f);
  first[0] = 1;
  EXPECT_FALSE(cache_.LookupNear(first, scope_));  // pushed out (4 kept)
  std::vector<float> last(8, 0.0f);
  last[5] = 1;
  EXPECT_TRUE(cache_.LookupNear(last, scope_));
}

TEST(MemoryResultCache, EvictsTheLeastRecentlyUsedBeyondItsBounds) {
  common::FakeClock clock;
  MemoryResultCache cache({.max_entries = 2}, clock);
  ASSERT_TRUE(cache.Put("a", Hits("a"), seconds(60)).ok());
  ASSERT_TRUE(cache.Put("b", Hits("b"), seconds(60)).ok());
  ASSERT_TRUE(cache.Get("a")->has_value());  // a is now the most recent
  ASSERT_TRUE(cache.Put("c", Hits("c"), seconds(60)).ok());
  EXPECT_TRUE(cache.Get("a")->has_value());
  EXPECT_FALSE(cache.Get("b")->has_value());
  EXPECT_TRUE(cache.Get("c")->has_value());
  EXPECT_EQ(cache.BackendStats().entries, 2u);

  MemoryResultCache small({.max_entries = 100, .max_bytes = 1000}, clock);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(small.Put("k" + std::to_string(i), Hits("x"), seconds(60)).ok());
  EXPECT_LE(small.BackendStats().bytes, 1000u);
  EXPECT_LT(small.BackendStats().entries, 50u);
}

TEST(SemanticCache, AFailingBackendCountsErrorsAndMisses) {
  common::FakeClock clock;
  SemanticCache cache({}, std::make_unique<FailingCache>(), clock);
  const CacheScope scope;
  EXPECT_FALSE(cache.LookupExact("q", scope));
  cache.Store("q", scope, Unit({1, 0}), Hits("a"));
  EXPECT_FALSE(cache.LookupNear(Unit({1, 0}), scope));
  const SearchCacheStats s = cache.Stats();
  EXPECT_EQ(s.errors, 2u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_TRUE(s.degraded);
}

}  // namespace
}  // namespace aura::core::search
