// File: core/service/health_checker.h
//
// HealthChecker: a background thread that pings storage every `interval` and
// reports whether the core can serve. CoreServer wires `on_change` to gRPC's
// health service, so grpc.health.v1.Health answers SERVING only while the
// database answers, and flips back by itself when it recovers.
//
//   HealthChecker checker(store, [&](bool ok) { health->SetServingStatus(ok); },
//                         {.interval = std::chrono::seconds(1)});
//   checker.Start();      // pings once synchronously, then every interval
//   checker.Shutdown();   // idempotent; the destructor calls it
//
// Thread-safe. `on_change` runs on the checker's thread (and once on the
// caller's thread inside Start), only when the state changes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "storage/store.h"

namespace aura::core {

struct HealthCheckerOptions {
  std::chrono::milliseconds interval{1000};
};

class HealthChecker {
 public:
  // `store` is borrowed and must outlive the checker.
  HealthChecker(storage::Store& store, std::function<void(bool serving)> on_change,
                HealthCheckerOptions options = {});
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // Pings once (so the state is known when Start returns), then starts the
  // thread. Calling it twice does nothing.
  void Start();
  // Stops and joins the thread; a ping in progress finishes first. Idempotent.
  void Shutdown();

  // The state after the latest ping.
  bool serving() const noexcept { return serving_.load(std::memory_order_acquire); }

 private:
  void CheckOnce();
  void Run();

  storage::Store& store_;
  const std::function<void(bool)> on_change_;
  const HealthCheckerOptions options_;
  std::atomic<bool> serving_{false};
  bool reported_ = false;  // only touched by the checking thread (or Start before it)
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool started_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace aura::core
