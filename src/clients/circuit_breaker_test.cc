#include "clients/circuit_breaker.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace aura::clients {
namespace {

using std::chrono::milliseconds;
using State = CircuitBreaker::State;

struct ManualTime {
  std::chrono::steady_clock::time_point now{};
  std::function<std::chrono::steady_clock::time_point()> Fn() {
    return [this] { return now; };
  }
};

TEST(CircuitBreaker, OpensAfterConsecutiveFailures) {
  ManualTime t;
  CircuitBreaker b({.failure_threshold = 3, .cool_down = milliseconds(1000), .now = t.Fn()});
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  EXPECT_EQ(b.state(), State::kClosed);
  ASSERT_TRUE(b.Allow());
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_FALSE(b.Allow());
  EXPECT_EQ(b.stats().opened, 1u);
  EXPECT_EQ(b.stats().rejected, 1u);
}

TEST(CircuitBreaker, SuccessResetsTheFailureCount) {
  CircuitBreaker b({.failure_threshold = 2});
  ASSERT_TRUE(b.Allow());
  b.RecordFailure();
  ASSERT_TRUE(b.Allow());
  b.RecordSuccess();
  ASSERT_TRUE(b.Allow());
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kClosed);
}

TEST(CircuitBreaker, HalfOpenAfterCoolDownLetsOneProbeThrough) {
  ManualTime t;
  CircuitBreaker b({.failure_threshold = 1, .cool_down = milliseconds(1000), .now = t.Fn()});
  ASSERT_TRUE(b.Allow());
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen);
  t.now += milliseconds(999);
  EXPECT_FALSE(b.Allow());
  t.now += milliseconds(1);
  EXPECT_EQ(b.state(), State::kHalfOpen);
  EXPECT_TRUE(b.Allow());   // the probe
  EXPECT_FALSE(b.Allow());  // others wait for it
  b.RecordSuccess();
  EXPECT_EQ(b.state(), State::kClosed);
  EXPECT_TRUE(b.Allow());
  b.RecordSuccess();
}

TEST(CircuitBreaker, FailedProbeReopensForAnotherCoolDown) {
  ManualTime t;
  CircuitBreaker b({.failure_threshold = 5, .cool_down = milliseconds(1000), .now = t.Fn()});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  t.now += milliseconds(1000);
  ASSERT_TRUE(b.Allow());
  b.RecordFailure();  // one failed probe is enough
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_EQ(b.stats().opened, 2u);
  t.now += milliseconds(500);
  EXPECT_FALSE(b.Allow());
  t.now += milliseconds(500);
  EXPECT_EQ(b.state(), State::kHalfOpen);
}

TEST(CircuitBreaker, ConcurrentFailuresOpenItExactlyOnce) {
  CircuitBreaker b({.failure_threshold = 50, .cool_down = std::chrono::hours(1)});
  std::vector<std::thread> threads;
  std::atomic<int> allowed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (b.Allow()) {
          ++allowed;
          b.RecordFailure();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_EQ(b.stats().opened, 1u);
  EXPECT_GE(allowed.load(), 50);
  EXPECT_EQ(b.stats().rejected + static_cast<uint64_t>(allowed.load()), 400u);
}

TEST(CircuitBreaker, StateNames) {
  EXPECT_EQ(CircuitStateName(State::kClosed), "closed");
  EXPECT_EQ(CircuitStateName(State::kOpen), "open");
  EXPECT_EQ(CircuitStateName(State::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace aura::clients
