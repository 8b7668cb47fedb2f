#include "storage/internal/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace aura::storage::internal {
namespace {

using common::StatusCode;

struct FakeConn {
  int id;
};

class Opener {
 public:
  ConnectionPool<FakeConn>::Opener fn() {
    return [this]() -> common::Result<std::unique_ptr<FakeConn>> {
      if (fail.load()) return common::UnavailableError("refused");
      return std::make_unique<FakeConn>(FakeConn{++opened});
    };
  }
  std::atomic<int> opened{0};
  std::atomic<bool> fail{false};
};

TEST(ConnectionPool, ReusesReturnedConnections) {
  Opener opener;
  ConnectionPool<FakeConn> pool({.max_size = 2, .acquire_timeout = std::chrono::milliseconds(50)},
                                opener.fn());
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    EXPECT_TRUE(lease->fresh());
    EXPECT_EQ((*lease)->id, 1);
  }
  auto again = pool.Acquire();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->fresh());
  EXPECT_EQ((*again)->id, 1);
  EXPECT_EQ(opener.opened.load(), 1);
  EXPECT_EQ(pool.OpenCount(), 1u);
}

TEST(ConnectionPool, WaitsThenGivesUpWithUnavailable) {
  Opener opener;
  ConnectionPool<FakeConn> pool({.max_size = 1, .acquire_timeout = std::chrono::milliseconds(50)},
                                opener.fn());
  auto held = pool.Acquire();
  ASSERT_TRUE(held.ok());
  const auto start = std::chrono::steady_clock::now();
  auto second = pool.Acquire();
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
}

TEST(ConnectionPool, AWaiterGetsTheConnectionWhenItComesBack) {
  Opener opener;
  ConnectionPool<FakeConn> pool({.max_size = 1, .acquire_timeout = std::chrono::seconds(10)},
                                opener.fn());
  auto held = std::make_optional(std::move(pool.Acquire()).value());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto lease = pool.Acquire();
    got = lease.ok() && (*lease)->id == 1;
  });
  held.reset();  // returns the connection; the waiter takes it
  waiter.join();
  EXPECT_TRUE(got.load());
}

TEST(ConnectionPool, DiscardedAndFailedOpensFreeTheirSlot) {
  Opener opener;
  ConnectionPool<FakeConn> pool({.max_size = 1, .acquire_timeout = std::chrono::milliseconds(50)},
                                opener.fn());
  {
    auto lease = std::move(pool.Acquire()).value();
    lease.Discard();
  }
  EXPECT_EQ(pool.OpenCount(), 0u);
  opener.fail = true;
  EXPECT_EQ(pool.Acquire().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(pool.OpenCount(), 0u);
  opener.fail = false;
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ((*lease)->id, 2);
}

TEST(ConnectionPool, DiscardIdleClosesIdleConnectionsOnly) {
  Opener opener;
  ConnectionPool<FakeConn> pool({.max_size = 3, .acquire_timeout = std::chrono::milliseconds(50)},
                                opener.fn());
  auto busy = std::move(pool.Acquire()).value();
  { auto idle = std::move(pool.Acquire()).value(); }
  EXPECT_EQ(pool.OpenCount(), 2u);
  pool.DiscardIdle();
  EXPECT_EQ(pool.OpenCount(), 1u);
}

}  // namespace
}  // namespace aura::storage::internal
