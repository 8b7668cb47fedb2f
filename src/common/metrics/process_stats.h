// File: common/metrics/process_stats.h
//
// ProcessStats: this process's CPU use and resident memory, read from /proc.
// CPU percent is averaged over the interval since the previous sample that is
// at least `min_interval` old (so frequent callers get a stable figure), and
// over the process's whole life on the first call. 100 % = one core busy.
//
//   ProcessStats stats;
//   ProcessStats::Sample s = stats.Read();   // s.cpu_percent, s.resident_bytes
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace aura::common {

class ProcessStats {
 public:
  struct Sample {
    double cpu_percent = 0;
    uint64_t resident_bytes = 0;
    double resident_mb() const { return static_cast<double>(resident_bytes) / (1024.0 * 1024.0); }
  };

  explicit ProcessStats(std::chrono::milliseconds min_interval = std::chrono::milliseconds(1000));
  Sample Read();

  // Raw readers (0 when /proc is unavailable).
  static double CpuSecondsUsed() noexcept;
  static uint64_t ResidentBytes() noexcept;

 private:
  std::chrono::milliseconds min_interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_time_;
  double last_cpu_seconds_ = 0;
  double last_percent_ = 0;
  bool first_ = true;
};

}  // namespace aura::common
