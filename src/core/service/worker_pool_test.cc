#include "core/service/worker_pool.h"

#include <pthread.h>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <string>

namespace aura::core {
namespace {

TEST(WorkerPool, RunsEveryQueuedTaskBeforeShutdownReturns) {
  std::atomic<int> ran{0};
  WorkerPool pool({.threads = 3, .max_queued = 1000});
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 500);
}

TEST(WorkerPool, ItsThreadsAreNamedCoreWorker) {
  WorkerPool pool({.threads = 1});
  std::promise<std::string> name;
  ASSERT_TRUE(pool.Submit([&] {
    char buffer[16] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    name.set_value(buffer);
  }));
  EXPECT_EQ(name.get_future().get(), "core-worker");
  pool.Shutdown();
}

TEST(WorkerPool, RefusesWhenTheQueueIsFull) {
  WorkerPool pool({.threads = 1, .max_queued = 2});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.Submit([&] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the worker is busy; the queue is empty
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {}));
  EXPECT_EQ(pool.rejected(), 1u);
  release.set_value();
  pool.Shutdown();
}

TEST(WorkerPool, RefusesAfterShutdown) {
  WorkerPool pool({.threads = 1});
  pool.Shutdown();
  EXPECT_FALSE(pool.Submit([] {}));
  pool.Shutdown();  // idempotent
}

TEST(WorkerPool, ThrowingTaskDoesNotKillTheWorker) {
  WorkerPool pool({.threads = 1});
  ASSERT_TRUE(pool.Submit([] { throw std::runtime_error("boom"); }));
  std::promise<void> done;
  ASSERT_TRUE(pool.Submit([&] { done.set_value(); }));
  done.get_future().wait();
}

}  // namespace
}  // namespace aura::core
