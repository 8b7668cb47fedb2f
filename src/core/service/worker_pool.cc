#include "core/service/worker_pool.h"

#include <exception>
#include <utility>

#include "common/log/log.h"
#include "common/thread_name.h"

namespace aura::core {

WorkerPool::WorkerPool(WorkerPoolOptions options) : options_(options) {
  int n = options_.threads > 0 ? options_.threads : 1;
  threads_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] {
    common::SetCurrentThreadName("core-worker");
    Run();
  });
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.max_queued) {
      ++rejected_;
      return false;
    }
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

uint64_t WorkerPool::rejected() const {
  std::lock_guard lock(mu_);
  return rejected_;
}

void WorkerPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      AURA_LOG_ERROR("worker_pool.task_failed").With("error", e.what());
    } catch (...) {
      AURA_LOG_ERROR("worker_pool.task_failed").With("error", "unknown exception");
    }
  }
}

}  // namespace aura::core
