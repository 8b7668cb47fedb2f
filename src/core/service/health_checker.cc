#include "core/service/health_checker.h"

#include <exception>
#include <utility>

#include "common/log/log.h"
#include "common/thread_name.h"

namespace aura::core {

HealthChecker::HealthChecker(storage::Store& store, std::function<void(bool)> on_change,
                             HealthCheckerOptions options)
    : store_(store), on_change_(std::move(on_change)), options_(options) {}

HealthChecker::~HealthChecker() { Shutdown(); }

void HealthChecker::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
  }
  CheckOnce();
  thread_ = std::thread([this] {
    common::SetCurrentThreadName("health-check");
    Run();
  });
}

void HealthChecker::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HealthChecker::CheckOnce() {
  bool ok = false;
  std::string error;
  try {
    common::Status status = store_.Ping();
    ok = status.ok();
    if (!ok) error = status.ToString();
  } catch (const std::exception& e) {
    error = e.what();
  }
  const bool was = serving_.exchange(ok, std::memory_order_acq_rel);
  if (reported_ && was == ok) return;
  reported_ = true;
  if (ok) {
    AURA_LOG_INFO("core.health_serving").With("storage", store_.Backend());
  } else {
    AURA_LOG_WARNING("core.health_not_serving").With("storage", store_.Backend()).With("error", error);
  }
  if (on_change_) on_change_(ok);
}

void HealthChecker::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (cv_.wait_for(lock, options_.interval, [&] { return stopping_; })) break;
    lock.unlock();  // never hold the lock across the database round trip
    CheckOnce();
    lock.lock();
  }
}

}  // namespace aura::core
