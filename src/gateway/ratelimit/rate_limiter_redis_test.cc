// Integration: the Redis limiter against the shared test Redis
// (AURA_TEST_REDIS_URL) and against a private redis-server that the test
// kills and restarts.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/log/log.h"
#include "gateway/ratelimit/rate_limiter.h"
#include "gateway/ratelimit/testing/private_redis.h"

namespace aura::gateway {
namespace {

constexpr int64_t kWindowStart = 1'699'999'980;
constexpr int64_t kReset = 1'700'000'040;

class RedisRateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    common::InitLogging({.level = common::LogLevel::kInfo,
                         .sink =
                             [this](std::string_view line) {
                               std::lock_guard lock(mu_);
                               lines_.emplace_back(line);
                             },
                         .synchronous = true});
  }
  void TearDown() override { common::InitLogging({.synchronous = true}); }

  int CountLines(std::string_view event) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& l : lines_) {
      if (l.find("\"event\":\"" + std::string(event) + "\"") != std::string::npos) ++n;
    }
    return n;
  }

  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(RedisRateLimiterTest, TwoInstancesShareOneCounter) {
  const std::string url = testing::TestRedisUrl();
  ASSERT_FALSE(url.empty()) << "AURA_TEST_REDIS_URL is not set; run through scripts/test.sh or "
                               "source /tmp/aura-dev-services.env";
  const std::string prefix = testing::UniqueKeyPrefix("ratelimit");
  // Generous timeouts: a busy test machine must not look like a Redis outage.
  RateLimiterOptions options{.limit_per_minute = 5,
                             .redis_url = url,
                             .redis_timeout = std::chrono::milliseconds(2000),
                             .redis_key_prefix = prefix};
  auto a = MakeRateLimiter(options);
  auto b = MakeRateLimiter(options);
  EXPECT_EQ(a->Backend(), "redis");
  const int64_t now = kWindowStart + 30;
  for (int i = 0; i < 5; ++i) {
    RateDecision d = (i % 2 == 0 ? a : b)->Check("did:key:shared", now);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 4 - i);
    EXPECT_EQ(d.reset_unix, kReset);
  }
  RateDecision refused = b->Check("did:key:shared", now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 30);
  EXPECT_FALSE(a->Check("did:key:shared", now).allowed);
  // Another agent and the next window are separate counters.
  EXPECT_TRUE(a->Check("did:key:other", now).allowed);
  EXPECT_TRUE(b->Check("did:key:shared", kReset).allowed);
  EXPECT_FALSE(a->Degraded());
  EXPECT_FALSE(b->Degraded());
}

TEST_F(RedisRateLimiterTest, ConcurrentChecksFromTwoInstancesCountExactly) {
  const std::string url = testing::TestRedisUrl();
  ASSERT_FALSE(url.empty()) << "AURA_TEST_REDIS_URL is not set";
  const std::string prefix = testing::UniqueKeyPrefix("ratelimit");
  RateLimiterOptions options{.limit_per_minute = 1000,
                             .redis_url = url,
                             .redis_timeout = std::chrono::milliseconds(2000),
                             .redis_key_prefix = prefix};
  auto a = MakeRateLimiter(options);
  auto b = MakeRateLimiter(options);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      RateLimiter& limiter = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < 200; ++i) {
        if (limiter.Check("did:key:busy", kWindowStart + 5).allowed) allowed.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 1000);
  EXPECT_FALSE(a->Degraded());
  EXPECT_FALSE(b->Degraded());
}

TEST_F(RedisRateLimiterTest, FallsBackWhenRedisDiesAndReturnsWhenItAnswers) {
  testing::PrivateRedis redis;
  ASSERT_TRUE(redis.Start()) << redis.error();
  common::FakeClock clock;
  const std::string prefix = testing::UniqueKeyPrefix("ratelimit");
  RateLimiterOptions options{.limit_per_minute = 3,
                             .redis_url = redis.url(),
                             .redis_timeout = std::chrono::milliseconds(2000),
                             .redis_retry_interval = std::chrono::seconds(2),
                             .redis_key_prefix = prefix,
                             .clock = &clock};
  auto limiter = MakeRateLimiter(options);
  const int64_t now = kWindowStart + 10;
  EXPECT_TRUE(limiter->Check("agent", now).allowed);
  EXPECT_FALSE(limiter->Degraded());

  redis.Kill();
  // Still answers, from the in-process limiter, and says it is degraded.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter->Check("agent", now).allowed) << i;
  EXPECT_TRUE(limiter->Degraded());
  EXPECT_FALSE(limiter->Check("agent", now).allowed);  // in-process limit applies
  EXPECT_EQ(CountLines("redis.unavailable"), 1);

  // A failed probe after the retry interval keeps it degraded, without another warning.
  clock.Advance(std::chrono::milliseconds(2100));
  limiter->Check("agent", now);
  EXPECT_TRUE(limiter->Degraded());
  EXPECT_EQ(CountLines("redis.unavailable"), 1);

  ASSERT_TRUE(redis.Start()) << redis.error();
  // Before the next probe time it stays on the fallback.
  limiter->Check("agent", now);
  EXPECT_TRUE(limiter->Degraded());
  clock.Advance(std::chrono::milliseconds(2100));
  // The restarted Redis is empty: counting starts over there.
  RateDecision d = limiter->Check("agent", now);
  EXPECT_FALSE(limiter->Degraded());
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 2);
  EXPECT_EQ(CountLines("redis.recovered"), 1);
  // And it is really Redis again: a second instance sees the same counter.
  auto other = MakeRateLimiter(options);
  EXPECT_EQ(other->Check("agent", now).remaining, 1);
}

TEST_F(RedisRateLimiterTest, UnreachableRedisAtStartServesInProcess) {
  testing::PrivateRedis never_started;
  common::FakeClock clock;
  auto limiter = MakeRateLimiter({.limit_per_minute = 1,
                                  .redis_url = never_started.url(),
                                  .redis_timeout = std::chrono::milliseconds(100),
                                  .clock = &clock});
  EXPECT_TRUE(limiter->Check("a", kWindowStart).allowed);
  EXPECT_TRUE(limiter->Degraded());
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(limiter->Check("a", kWindowStart).allowed);
  // While down, checks do not touch the network at all.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace aura::gateway
