#include "gateway/auth/replay_guard.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace aura::gateway {
namespace {

class MemoryReplayGuardTest : public ::testing::Test {
 protected:
  int64_t Now() const { return clock_.NowUnixSeconds(); }
  common::FakeClock clock_;
};

TEST_F(MemoryReplayGuardTest, RemembersTheFirstAnswerUntilItExpires) {
  auto guard = MakeReplayGuard({.clock = &clock_});
  EXPECT_EQ(guard->Backend(), "memory");
  EXPECT_FALSE(guard->Degraded());
  const std::string key = ReplayKey("ab01");
  EXPECT_FALSE(guard->Lookup(key).has_value());
  StoredResponse first{.status = 200, .body = R"({"status":"accepted"})"};
  guard->Remember(key, first, Now() + 60);
  // A second answer for the same signature does not replace the first.
  guard->Remember(key, StoredResponse{.status = 500, .body = "{}"}, Now() + 60);
  auto seen = guard->Lookup(key);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, first);
  clock_.Advance(std::chrono::seconds(59));
  EXPECT_TRUE(guard->Lookup(key).has_value());
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(guard->Lookup(key).has_value());
}

TEST_F(MemoryReplayGuardTest, IgnoresAnswersThatAlreadyExpired) {
  auto guard = MakeReplayGuard({.clock = &clock_});
  guard->Remember("k", StoredResponse{}, Now());
  EXPECT_FALSE(guard->Lookup("k").has_value());
}

TEST_F(MemoryReplayGuardTest, EvictsLeastRecentlyUsedBeyondMaxEntries) {
  // 16 shards × 2 entries.
  auto guard = MakeReplayGuard({.max_entries = 32, .clock = &clock_});
  for (int i = 0; i < 1000; ++i) {
    guard->Remember("key-" + std::to_string(i), StoredResponse{.body = "x"}, Now() + 60);
  }
  int kept = 0;
  for (int i = 0; i < 1000; ++i) kept += guard->Lookup("key-" + std::to_string(i)).has_value();
  EXPECT_LE(kept, 32);
  EXPECT_GT(kept, 0);
  EXPECT_TRUE(guard->Lookup("key-999").has_value());  // the newest stays
}

TEST_F(MemoryReplayGuardTest, BoundsBytes) {
  auto guard = MakeReplayGuard({.max_bytes = 16 * 4096, .clock = &clock_});
  const std::string body(3000, 'b');
  for (int i = 0; i < 200; ++i) {
    guard->Remember("key-" + std::to_string(i), StoredResponse{.body = body}, Now() + 60);
  }
  int kept = 0;
  for (int i = 0; i < 200; ++i) kept += guard->Lookup("key-" + std::to_string(i)).has_value();
  EXPECT_LE(kept, 16);
  // A single answer larger than a shard's share is not kept at all.
  guard->Remember("huge", StoredResponse{.body = std::string(1 << 20, 'h')}, Now() + 60);
  EXPECT_FALSE(guard->Lookup("huge").has_value());
}

TEST_F(MemoryReplayGuardTest, ConcurrentUseIsSafe) {
  auto guard = MakeReplayGuard({.max_entries = 1000, .clock = &clock_});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string key = std::to_string((t * 7919 + i) % 1500);
        if (!guard->Lookup(key)) guard->Remember(key, StoredResponse{.body = key}, Now() + 60);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 1500; ++i) {
    if (auto r = guard->Lookup(std::to_string(i))) {
      EXPECT_EQ(r->body, std::to_string(i));
    }
  }
}

TEST(ReplayKey, IgnoresHexCase) {
  EXPECT_EQ(ReplayKey("ABCDEF01"), ReplayKey("abcdef01"));
  EXPECT_NE(ReplayKey("abcdef01"), ReplayKey("abcdef02"));
  EXPECT_EQ(ReplayKey("ab").size(), 64u);
}

TEST(RedisReplayGuard, InvalidUrlServesInProcessAndReportsDegraded) {
  common::FakeClock clock;
  auto guard = MakeReplayGuard({.redis_url = "redis://", .clock = &clock});
  EXPECT_EQ(guard->Backend(), "redis");
  EXPECT_TRUE(guard->Degraded());
  guard->Remember("k", StoredResponse{.body = "b"}, clock.NowUnixSeconds() + 60);
  ASSERT_TRUE(guard->Lookup("k").has_value());
  EXPECT_EQ(guard->Lookup("k")->body, "b");
}

}  // namespace
}  // namespace aura::gateway
