#include "core/pricing/llm/decision_cache.h"

#include <gtest/gtest.h>

namespace aura::core {
namespace {

DecisionCacheKeyParts Parts(double bid, double reputation = 0.8) {
  return {.item_id = "hotel_alpha",
          .base_price = 150,
          .floor_price = 120,
          .bid = bid,
          .reputation = reputation,
          .market_load = std::nullopt,
          .model = "mistral/mistral-small-latest",
          .prompt_version = "pricing-v1"};
}

const LlmDecision kAnswer{.action = LlmAction::kCounter, .price = 140.0, .message = "m"};

TEST(DecisionCache, SameSituationHits) {
  common::FakeClock clock;
  DecisionCache cache({.bid_step = 5.0}, clock);
  EXPECT_EQ(cache.Key(Parts(851)), cache.Key(Parts(852)));
  EXPECT_NE(cache.Key(Parts(851)), cache.Key(Parts(859)));
  EXPECT_FALSE(cache.Get(cache.Key(Parts(851))).has_value());
  cache.Put(cache.Key(Parts(851)), kAnswer);
  auto hit = cache.Get(cache.Key(Parts(852)));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(*hit, kAnswer);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST(DecisionCache, KeySeparatesReputationBandsModelsVersionsAndPrices) {
  common::FakeClock clock;
  DecisionCache cache({.reputation_band = 0.25}, clock);
  EXPECT_EQ(cache.Key(Parts(100, 0.8)), cache.Key(Parts(100, 0.9)));
  EXPECT_NE(cache.Key(Parts(100, 0.8)), cache.Key(Parts(100, 0.2)));
  DecisionCacheKeyParts other = Parts(100);
  other.model = "openai/gpt-4o-mini";
  EXPECT_NE(cache.Key(other), cache.Key(Parts(100)));
  other = Parts(100);
  other.prompt_version = "pricing-v2";
  EXPECT_NE(cache.Key(other), cache.Key(Parts(100)));
  other = Parts(100);
  other.floor_price = 110;
  EXPECT_NE(cache.Key(other), cache.Key(Parts(100)));
  other = Parts(100);
  other.market_load = 0.9;
  EXPECT_NE(cache.Key(other), cache.Key(Parts(100)));
}

TEST(DecisionCache, EntriesExpire) {
  common::FakeClock clock;
  DecisionCache cache({.ttl = std::chrono::seconds(60)}, clock);
  const std::string key = cache.Key(Parts(100));
  cache.Put(key, kAnswer);
  clock.Advance(std::chrono::seconds(59));
  EXPECT_TRUE(cache.Get(key).has_value());
  clock.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(cache.Get(key).has_value());
  EXPECT_EQ(cache.stats().size, 0u);
}

TEST(DecisionCache, EvictsTheLeastRecentlyUsed) {
  common::FakeClock clock;
  DecisionCache cache({.capacity = 2, .bid_step = 1.0}, clock);
  cache.Put(cache.Key(Parts(1)), kAnswer);
  cache.Put(cache.Key(Parts(2)), kAnswer);
  ASSERT_TRUE(cache.Get(cache.Key(Parts(1))).has_value());  // 1 is now the most recent
  cache.Put(cache.Key(Parts(3)), kAnswer);
  EXPECT_TRUE(cache.Get(cache.Key(Parts(1))).has_value());
  EXPECT_FALSE(cache.Get(cache.Key(Parts(2))).has_value());
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().size, 2u);
}

TEST(DecisionCache, ZeroCapacityDisablesIt) {
  common::FakeClock clock;
  DecisionCache cache({.capacity = 0}, clock);
  cache.Put(cache.Key(Parts(1)), kAnswer);
  EXPECT_FALSE(cache.Get(cache.Key(Parts(1))).has_value());
}

}  // namespace
}  // namespace aura::core
