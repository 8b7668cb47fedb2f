// File: common/clock.h
//
// Clock: the one source of "now" for logic that must be testable. Production
// code uses SystemClock; tests use FakeClock and move time by hand.
//
//   FakeClock clock(std::chrono::system_clock::from_time_t(1'700'000'000));
//   clock.Advance(std::chrono::seconds(601));
#pragma once

#include <atomic>
#include <chrono>

namespace aura::common {

// Thread-safe interface.
class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const noexcept = 0;
  // Seconds since the Unix epoch.
  std::int64_t NowUnixSeconds() const noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const noexcept override { return std::chrono::system_clock::now(); }
  // A process-wide instance; stateless, so sharing it is safe.
  static SystemClock& Instance() {
    static SystemClock clock;
    return clock;
  }
};

// Thread-safe manual clock for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'700'000'000)))
      : nanos_(start.time_since_epoch().count()) {}
  TimePoint Now() const noexcept override {
    return TimePoint(TimePoint::duration(nanos_.load(std::memory_order_relaxed)));
  }
  void Advance(std::chrono::nanoseconds d) noexcept {
    nanos_.fetch_add(std::chrono::duration_cast<TimePoint::duration>(d).count());
  }

 private:
  std::atomic<TimePoint::rep> nanos_;
};

}  // namespace aura::common
