// File: gateway/internal/blocking_pool.h
//
// BlockingPool: a few threads for the calls that may block (Redis round trips
// of the rate limiter and the replay guard), so HTTP I/O threads never wait on
// the network. The queue is bounded: Submit() returns false when it is full
// and the caller answers 503 rather than queueing without limit.
//
//   BlockingPool pool({.threads = 4, .max_queue = 10000});
//   if (!pool.Submit([=] { ... })) { /* busy */ }
//
// Thread-safe. The destructor runs the queued tasks, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace aura::gateway::internal {

struct BlockingPoolOptions {
  int threads = 4;
  size_t max_queue = 10000;
};

class BlockingPool {
 public:
  explicit BlockingPool(BlockingPoolOptions options);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Queues `task`; false when the queue is full or the pool is stopping.
  bool Submit(std::function<void()> task);

 private:
  void Run();

  BlockingPoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace aura::gateway::internal
