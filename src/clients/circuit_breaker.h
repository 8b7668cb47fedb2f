// File: clients/circuit_breaker.h
//
// CircuitBreaker: stops calling a dependency that keeps failing, so a broken
// LLM or embeddings API costs a fast refusal instead of a full timeout on every
// request. Three states:
//   closed    — calls go through; `failure_threshold` consecutive failures open it;
//   open      — calls are refused at once until `cool_down` has passed;
//   half-open — one probe call at a time goes through; its success closes the
//               breaker, its failure opens it again for another cool-down.
//
//   CircuitBreaker breaker({.failure_threshold = 5, .cool_down = std::chrono::seconds(30)});
//   if (!breaker.Allow()) return UnavailableError("circuit breaker open");
//   Status s = DoCall();
//   s.ok() ? breaker.RecordSuccess() : breaker.RecordFailure();
//
// Every Allow() that returns true must be followed by exactly one
// RecordSuccess() or RecordFailure(). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

namespace aura::clients {

struct CircuitBreakerOptions {
  // Consecutive failures that open a closed breaker.
  int failure_threshold = 5;
  // How long an open breaker refuses calls before letting a probe through.
  std::chrono::milliseconds cool_down{30000};
  // Monotonic time source; tests inject one. Empty = steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> now;
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  // Counters since construction, for metrics and tests.
  struct Stats {
    uint64_t opened = 0;    // transitions into open
    uint64_t rejected = 0;  // calls refused by Allow()
    uint64_t failures = 0;  // RecordFailure() calls
    uint64_t successes = 0; // RecordSuccess() calls
  };

  explicit CircuitBreaker(CircuitBreakerOptions options = {});
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // True when a call may go out now. In half-open state only one caller at a
  // time gets true (the probe).
  bool Allow();
  void RecordSuccess();
  void RecordFailure();

  // The state as of now (an open breaker whose cool-down has passed reports
  // half-open).
  State state() const;
  Stats stats() const;

 private:
  std::chrono::steady_clock::time_point Now() const;
  void MaybeHalfOpenLocked(std::chrono::steady_clock::time_point now) const;

  const CircuitBreakerOptions options_;
  mutable std::mutex mu_;
  // Mutable: observing the state lazily moves open → half-open.
  mutable State state_ = State::kClosed;  // guarded by mu_
  int consecutive_failures_ = 0;          // guarded by mu_
  bool probe_in_flight_ = false;          // guarded by mu_
  std::chrono::steady_clock::time_point opened_at_{};  // guarded by mu_
  Stats stats_;                                         // guarded by mu_
};

// "closed", "open", "half_open".
std::string_view CircuitStateName(CircuitBreaker::State state) noexcept;

}  // namespace aura::clients
