#include "clients/circuit_breaker.h"

#include <utility>

namespace aura::clients {

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options) : options_(std::move(options)) {}

std::chrono::steady_clock::time_point CircuitBreaker::Now() const {
  return options_.now ? options_.now() : std::chrono::steady_clock::now();
}

void CircuitBreaker::MaybeHalfOpenLocked(std::chrono::steady_clock::time_point now) const {
  if (state_ == State::kOpen && now - opened_at_ >= options_.cool_down) state_ = State::kHalfOpen;
}

bool CircuitBreaker::Allow() {
  const auto now = Now();
  std::lock_guard lock(mu_);
  MaybeHalfOpenLocked(now);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      ++stats_.rejected;
      return false;
    case State::kHalfOpen:
      if (probe_in_flight_) {
        ++stats_.rejected;
        return false;
      }
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  ++stats_.successes;
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
  state_ = State::kClosed;
}

void CircuitBreaker::RecordFailure() {
  const auto now = Now();
  std::lock_guard lock(mu_);
  ++stats_.failures;
  const bool was_probe = state_ == State::kHalfOpen && probe_in_flight_;
  probe_in_flight_ = false;
  if (state_ == State::kOpen) return;  // a call that started before the breaker opened
  ++consecutive_failures_;
  if (was_probe || consecutive_failures_ >= options_.failure_threshold) {
    state_ = State::kOpen;
    opened_at_ = now;
    ++stats_.opened;
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  const auto now = Now();
  std::lock_guard lock(mu_);
  MaybeHalfOpenLocked(now);
  return state_;
}

CircuitBreaker::Stats CircuitBreaker::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::string_view CircuitStateName(CircuitBreaker::State state) noexcept {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

}  // namespace aura::clients
