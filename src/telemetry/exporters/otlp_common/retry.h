// File: telemetry/exporters/otlp_common/retry.h
//
// RetryClock: the retry pacing the OTLP exporters share — exponential backoff
// with jitter inside the export deadline, and waits that Shutdown interrupts.
//
//   RetryClock retry(options);
//   auto deadline = retry.Deadline();
//   for (int attempt = 0;; ++attempt) {
//     ... send ...; if (!retryable) break;
//     if (!retry.Sleep(hint.value_or(retry.Backoff(attempt)), deadline)) break;
//   }
//
// Thread-safe: Sleep runs on the exporting thread, Interrupt on any.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>

#include "telemetry/exporters/otlp_common/otlp_options.h"

namespace aura::telemetry::otlp {

class RetryClock {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RetryClock(const OtlpExporterOptions& options)
      : timeout_(options.timeout), initial_(options.initial_backoff), max_(options.max_backoff) {}

  Clock::time_point Deadline() const { return Clock::now() + timeout_; }

  // initial * 2^attempt, capped, times a random factor in [0.5, 1.5).
  std::chrono::milliseconds Backoff(int attempt) {
    double base = static_cast<double>(initial_.count()) * static_cast<double>(1LL << std::min(attempt, 20));
    base = std::min(base, static_cast<double>(max_.count()));
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    std::lock_guard lock(mu_);
    return std::chrono::milliseconds(static_cast<int64_t>(base * jitter(rng_)));
  }

  // Waits `delay` unless that passes `deadline` or Interrupt() is called;
  // true when the caller should try again.
  bool Sleep(std::chrono::milliseconds delay, Clock::time_point deadline) {
    auto wake = Clock::now() + delay;
    if (wake >= deadline) return false;
    std::unique_lock lock(mu_);
    return !cv_.wait_until(lock, wake, [&] { return interrupted_; });
  }

  void Interrupt() {
    {
      std::lock_guard lock(mu_);
      interrupted_ = true;
    }
    cv_.notify_all();
  }
  bool interrupted() {
    std::lock_guard lock(mu_);
    return interrupted_;
  }

 private:
  std::chrono::milliseconds timeout_, initial_, max_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool interrupted_ = false;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace aura::telemetry::otlp
