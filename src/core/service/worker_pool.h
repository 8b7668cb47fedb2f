// File: core/service/worker_pool.h
//
// WorkerPool: a fixed set of threads draining a bounded FIFO of tasks. The
// gRPC adapter hands each storage-bound request to it so gRPC's callback
// threads never wait on a database round trip; when the queue is full, Submit
// refuses at once and the caller answers RESOURCE_EXHAUSTED instead of
// queueing without bound.
//
//   WorkerPool pool({.threads = 8, .max_queued = 1024});
//   if (!pool.Submit([] { ... })) { /* busy or shut down */ }
//   pool.Shutdown();   // runs what is queued, then joins
//
// Thread-safe. Tasks must not throw (a task that throws is caught, counted and
// dropped so a worker never dies).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace aura::core {

struct WorkerPoolOptions {
  int threads = 8;
  size_t max_queued = 1024;
};

class WorkerPool {
 public:
  explicit WorkerPool(WorkerPoolOptions options = {});
  ~WorkerPool();  // calls Shutdown()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (task not queued, not run) when the queue is full or
  // the pool is shutting down.
  bool Submit(std::function<void()> task);

  // Stops accepting tasks, runs every task already queued, joins the threads.
  // Idempotent.
  void Shutdown();

  size_t queued() const;
  uint64_t rejected() const;

 private:
  void Run();

  const WorkerPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  uint64_t rejected_ = 0;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace aura::core
