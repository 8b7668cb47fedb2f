// Integration: the Redis replay guard against the shared test Redis
// (AURA_TEST_REDIS_URL) and against a private redis-server that is killed
// and restarted.
#include <gtest/gtest.h>

#include <chrono>

#include "common/clock.h"
#include "gateway/auth/replay_guard.h"
#include "gateway/ratelimit/testing/private_redis.h"

namespace aura::gateway {
namespace {

TEST(RedisReplayGuard, SharedBetweenReplicasAndFirstAnswerWins) {
  const std::string url = testing::TestRedisUrl();
  ASSERT_FALSE(url.empty()) << "AURA_TEST_REDIS_URL is not set; run through scripts/test.sh or "
                               "source /tmp/aura-dev-services.env";
  // Real time here: Redis expires keys on its own clock.
  const std::string prefix = testing::UniqueKeyPrefix("replay");
  // Generous timeouts: a busy test machine must not look like a Redis outage.
  ReplayGuardOptions options{.redis_url = url,
                             .redis_timeout = std::chrono::milliseconds(2000),
                             .redis_key_prefix = prefix};
  auto a = MakeReplayGuard(options);
  auto b = MakeReplayGuard(options);
  const int64_t now = common::SystemClock::Instance().NowUnixSeconds();
  const std::string key = ReplayKey("00ff");
  EXPECT_FALSE(a->Lookup(key).has_value());
  StoredResponse first{.status = 200, .body = "{\"a\":\n1}", .content_type = "application/json"};
  a->Remember(key, first, now + 60);
  b->Remember(key, StoredResponse{.status = 503, .body = "{}"}, now + 60);
  auto seen = b->Lookup(key);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, first);
  EXPECT_FALSE(a->Degraded());
  EXPECT_EQ(a->Backend(), "redis");
}

TEST(RedisReplayGuard, KeepsAnswersInProcessWhileRedisIsDown) {
  testing::PrivateRedis redis;
  ASSERT_TRUE(redis.Start()) << redis.error();
  common::FakeClock clock(common::SystemClock::Instance().Now());
  auto guard = MakeReplayGuard({.redis_url = redis.url(),
                                .redis_timeout = std::chrono::milliseconds(2000),
                                .redis_retry_interval = std::chrono::seconds(2),
                                .redis_key_prefix = testing::UniqueKeyPrefix("replay"),
                                .clock = &clock});
  const int64_t now = clock.NowUnixSeconds();
  guard->Remember("before", StoredResponse{.body = "1"}, now + 60);
  EXPECT_TRUE(guard->Lookup("before").has_value());

  redis.Kill();
  EXPECT_FALSE(guard->Lookup("before").has_value());  // it lived in Redis only
  EXPECT_TRUE(guard->Degraded());
  guard->Remember("during", StoredResponse{.body = "2"}, now + 60);
  ASSERT_TRUE(guard->Lookup("during").has_value());
  EXPECT_EQ(guard->Lookup("during")->body, "2");

  ASSERT_TRUE(redis.Start()) << redis.error();
  clock.Advance(std::chrono::milliseconds(2100));
  // Back on Redis; answers kept during the outage still count.
  ASSERT_TRUE(guard->Lookup("during").has_value());
  EXPECT_FALSE(guard->Degraded());
  guard->Remember("after", StoredResponse{.body = "3"}, now + 60);
  EXPECT_EQ(guard->Lookup("after")->body, "3");
}

}  // namespace
}  // namespace aura::gateway
