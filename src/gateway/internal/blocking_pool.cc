#include "gateway/internal/blocking_pool.h"

#include "common/thread_name.h"

namespace aura::gateway::internal {

BlockingPool::BlockingPool(BlockingPoolOptions options) : options_(options) {
  int n = options_.threads > 0 ? options_.threads : 1;
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] {
    common::SetCurrentThreadName("gw-blocking");
    Run();
  });
}

BlockingPool::~BlockingPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool BlockingPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.max_queue) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void BlockingPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (...) {
      // Tasks answer their own errors; nothing escapes a worker thread.
    }
  }
}

}  // namespace aura::gateway::internal
