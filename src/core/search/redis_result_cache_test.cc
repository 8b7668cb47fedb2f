// Integration tests against a real Redis (AURA_TEST_REDIS_URL, started by
// scripts/test.sh or scripts/services.sh) and against a port where nothing
// listens.
#include "core/search/redis_result_cache.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "core/search/hashing_embedder.h"
#include "core/search/search_service.h"
#include "core/search/testing/fake_item_store.h"
#include "tests/support/process.h"

namespace aura::core::search {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string RedisUrl() {
  const char* url = std::getenv("AURA_TEST_REDIS_URL");
  return url == nullptr ? "" : url;
}

// A key prefix no other test (or run) shares.
std::string UniquePrefix() {
  std::random_device rd;
  return "aura:test:nectar:" + std::to_string(::getpid()) + ":" + std::to_string(rd()) + ":";
}

// A loopback port with nothing listening: bind port 0, read it, close.
std::vector<SearchHit> Hits() {
  return {SearchHit{"hostel_beta", "Backpacker Hostel Beta", 50, 0.8125, "A friendly hostel."},
          SearchHit{"hotel_alpha", "Grand Hotel \"Alpha\" — ünïcode", 1000, -0.25, ""}};
}

class RedisResultCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(RedisUrl().empty())
        << "AURA_TEST_REDIS_URL is not set: run through scripts/test.sh, or "
           "`source /tmp/aura-dev-services.env` after scripts/services.sh start";
    auto cache = MakeRedisResultCache({.url = RedisUrl(), .key_prefix = prefix_}, clock_);
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    cache_ = std::move(cache).value();
  }
  void TearDown() override {
    if (cache_) (void)cache_->Clear();
  }

  common::SystemClock clock_;
  std::string prefix_ = UniquePrefix();
  std::unique_ptr<ResultCache> cache_;
};

TEST_F(RedisResultCacheTest, StoresAndReadsAnswers) {
  auto miss = cache_->Get("k1");
  ASSERT_TRUE(miss.ok()) << miss.status().ToString();
  EXPECT_FALSE(miss->has_value());
  ASSERT_TRUE(cache_->Put("k1", Hits(), seconds(60)).ok());
  auto hit = cache_->Get("k1");
  ASSERT_TRUE(hit.ok());
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ(**hit, Hits());
  EXPECT_FALSE(cache_->BackendStats().degraded);
  EXPECT_TRUE(cache_->BackendStats().redis);
}

TEST_F(RedisResultCacheTest, EntriesCarryTheTtl) {
  ASSERT_TRUE(cache_->Put("ttl", Hits(), milliseconds(1500)).ok());
  auto address = ParseRedisUrl(RedisUrl());
  ASSERT_TRUE(address.ok());
  redisContext* c = redisConnect(address->host.c_str(), address->port);
  ASSERT_TRUE(c != nullptr && c->err == 0);
  if (address->db != 0) freeReplyObject(redisCommand(c, "SELECT %d", address->db));
  const std::string key = prefix_ + "ttl";
  auto* reply = static_cast<redisReply*>(redisCommand(c, "PTTL %b", key.data(), key.size()));
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(reply->integer, 0);
  EXPECT_LE(reply->integer, 1500);
  freeReplyObject(reply);
  redisFree(c);
}

TEST_F(RedisResultCacheTest, ClearRemovesOnlyItsOwnKeys) {
  auto other = MakeRedisResultCache({.url = RedisUrl(), .key_prefix = UniquePrefix()}, clock_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(cache_->Put("a", Hits(), seconds(60)).ok());
  ASSERT_TRUE((*other)->Put("a", Hits(), seconds(60)).ok());
  ASSERT_TRUE(cache_->Clear().ok());
  EXPECT_FALSE(cache_->Get("a")->has_value());
  EXPECT_TRUE((*other)->Get("a")->has_value());
  ASSERT_TRUE((*other)->Clear().ok());
}

TEST_F(RedisResultCacheTest, SearchServiceSharesAnswersThroughRedis) {
  testing::FakeItemStore store;
  storage::Item item;
  item.id = "hostel_beta";
  item.name = "Backpacker Hostel Beta";
  item.description = "A budget hostel for backpackers.";
  item.base_price = 50;
  item.floor_price = 40;
  store.Put(item);
  auto make = [&] {
    SearchServiceOptions o{.redis_url = RedisUrl(), .refresh_interval = milliseconds(0),
                           .progress = [](size_t, size_t) {}};
    o.embedder.model = "hashing";
    o.redis.key_prefix = prefix_;
    auto s = SearchService::Create(std::move(o), store);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE((*s)->Start().ok());
    return std::move(s).value();
  };
  auto replica1 = make();
  auto replica2 = make();
  ASSERT_TRUE(replica1->Search("budget hostel", 3, 0.0).ok());
  auto shared = replica2->Search("budget hostel", 3, 0.0);  // same inventory version: a hit
  ASSERT_TRUE(shared.ok());
  ASSERT_EQ(shared->size(), 1u);
  EXPECT_EQ(replica2->CacheStats().exact_hits, 1u);
  EXPECT_TRUE(replica2->CacheStats().redis);
}

TEST(RedisResultCache, RedisDownMeansUncachedAndDegradedButWorking) {
  common::FakeClock clock;
  const std::string url = "redis://127.0.0.1:" + std::to_string(aura::testing::FreePort()) + "/0";
  auto cache = MakeRedisResultCache({.url = url, .retry_interval = seconds(5)}, clock);
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ((*cache)->Get("k").status().code(), common::StatusCode::kUnavailable);
  EXPECT_TRUE((*cache)->BackendStats().degraded);
  // Backing off: fails fast without touching the network.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ((*cache)->Put("k", Hits(), seconds(1)).code(), common::StatusCode::kUnavailable);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(50));
  clock.Advance(seconds(6));
  EXPECT_EQ((*cache)->Get("k").status().code(), common::StatusCode::kUnavailable);  // tried again

  // The service answers uncached and says it is degraded.
  testing::FakeItemStore store;
  storage::Item item;
  item.id = "a";
  item.name = "Hostel";
  item.base_price = 10;
  item.floor_price = 5;
  store.Put(item);
  SearchServiceOptions o{.redis_url = url, .refresh_interval = milliseconds(0),
                         .progress = [](size_t, size_t) {}};
  o.embedder.model = "hashing";
  auto service = SearchService::Create(std::move(o), store, clock);
  ASSERT_TRUE(service.ok());
  ASSERT_TRUE((*service)->Start().ok());
  for (int i = 0; i < 3; ++i) {
    auto r = (*service)->Search("hostel", 0, 0.0);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->size(), 1u);
  }
  const SearchCacheStats stats = (*service)->CacheStats();
  EXPECT_TRUE(stats.degraded);
  EXPECT_GT(stats.errors, 0u);
  EXPECT_EQ(stats.exact_hits + stats.near_hits, 0u);
}

TEST(ParseRedisUrl, ReadsEveryPart) {
  auto a = ParseRedisUrl("redis://user:secret@cache.local:6380/2");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (RedisAddress{"cache.local", 6380, "user", "secret", 2}));
  EXPECT_EQ(*ParseRedisUrl("redis://localhost"), (RedisAddress{"localhost", 6379, "", "", 0}));
  EXPECT_EQ(ParseRedisUrl("redis://:pw@h:1/0")->password, "pw");
  EXPECT_EQ(ParseRedisUrl("http://x").status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://h:99999").status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://h:1/x").status().code(), common::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aura::core::search
