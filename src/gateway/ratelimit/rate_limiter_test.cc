#include "gateway/ratelimit/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gateway/ratelimit/redis_link.h"

namespace aura::gateway {
namespace {

// 1_700_000_000 is 20 s into its minute window [1699999980, 1700000040).
constexpr int64_t kWindowStart = 1'699'999'980;
constexpr int64_t kReset = 1'700'000'040;

TEST(MemoryRateLimiter, AllowsUpToTheLimitThenRefuses) {
  auto limiter = MakeRateLimiter({.limit_per_minute = 3});
  const int64_t now = kWindowStart + 20;
  for (int i = 0; i < 3; ++i) {
    RateDecision d = limiter->Check("did:key:a", now);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
    EXPECT_EQ(d.reset_unix, kReset);
    EXPECT_EQ(d.retry_after_seconds, 0);
  }
  RateDecision refused = limiter->Check("did:key:a", now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_unix, kReset);
  EXPECT_EQ(refused.retry_after_seconds, 40);
  EXPECT_EQ(limiter->Backend(), "memory");
  EXPECT_FALSE(limiter->Degraded());
}

TEST(MemoryRateLimiter, RetryAfterIsAtLeastOneSecond) {
  auto limiter = MakeRateLimiter({.limit_per_minute = 1});
  EXPECT_TRUE(limiter->Check("a", kReset - 1).allowed);
  RateDecision d = limiter->Check("a", kReset - 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 1);
}

TEST(MemoryRateLimiter, NewWindowStartsOver) {
  auto limiter = MakeRateLimiter({.limit_per_minute = 2});
  EXPECT_TRUE(limiter->Check("a", kWindowStart).allowed);
  EXPECT_TRUE(limiter->Check("a", kReset - 1).allowed);
  EXPECT_FALSE(limiter->Check("a", kReset - 1).allowed);
  RateDecision next = limiter->Check("a", kReset);
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(next.remaining, 1);
  EXPECT_EQ(next.reset_unix, kReset + 60);
}

TEST(MemoryRateLimiter, AgentsAreCountedApart) {
  auto limiter = MakeRateLimiter({.limit_per_minute = 1});
  EXPECT_TRUE(limiter->Check("a", kWindowStart).allowed);
  EXPECT_TRUE(limiter->Check("b", kWindowStart).allowed);
  EXPECT_FALSE(limiter->Check("a", kWindowStart).allowed);
}

TEST(MemoryRateLimiter, ConcurrentChecksCountExactly) {
  auto limiter = MakeRateLimiter({.limit_per_minute = 4000});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter->Check("shared", kWindowStart + 1).allowed) allowed.fetch_add(1);
        limiter->Check("own-" + std::to_string(t), kWindowStart + 1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 4000);
  EXPECT_EQ(limiter->Check("own-0", kWindowStart + 1).remaining, 4000 - 1001);
}

TEST(MemoryRateLimiter, MemoryIsBoundedByEvictingOldWindowsFirst) {
  auto limiter = MakeRateLimiter({.limit_per_minute = 1, .max_agents = 64});
  // Fill every shard with agents of an old window; a new window evicts them.
  for (int i = 0; i < 5000; ++i) limiter->Check("old-" + std::to_string(i), kWindowStart - 60);
  EXPECT_TRUE(limiter->Check("a", kWindowStart).allowed);
  EXPECT_FALSE(limiter->Check("a", kWindowStart).allowed);
  // Beyond the bound within one window, the limiter keeps working (entries are
  // recycled) rather than growing.
  for (int i = 0; i < 5000; ++i) EXPECT_TRUE(limiter->Check("new-" + std::to_string(i), kWindowStart).allowed);
}

TEST(RedisRateLimiter, InvalidUrlServesInProcessAndReportsDegraded) {
  auto limiter = MakeRateLimiter({.limit_per_minute = 1, .redis_url = "http://nope"});
  EXPECT_EQ(limiter->Backend(), "redis");
  EXPECT_TRUE(limiter->Degraded());
  EXPECT_TRUE(limiter->Check("a", kWindowStart).allowed);
  EXPECT_FALSE(limiter->Check("a", kWindowStart).allowed);
}

TEST(ParseRedisUrl, ReadsHostPortDbAndPassword) {
  auto u = ParseRedisUrl("redis://:secret@10.0.0.5:6380/2");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, (RedisUrl{.host = "10.0.0.5", .port = 6380, .db = 2, .username = "", .password = "secret"}));
  auto plain = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->db, 0);
  auto user = ParseRedisUrl("redis://bob:pw@h:1/0");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->username, "bob");
  EXPECT_FALSE(ParseRedisUrl("http://h").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h:99999").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h/x").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://").ok());
}

}  // namespace
}  // namespace aura::gateway
