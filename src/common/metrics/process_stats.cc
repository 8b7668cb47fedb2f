#include "common/metrics/process_stats.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace aura::common {
namespace {

// Seconds since boot at which this process started, from /proc/self/stat.
double ProcessStartSeconds() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  // Field 3 (state) is the first after ')'; starttime is field 22.
  for (int i = 3; i < 22 && rest >> field; ++i) {}
  unsigned long long start_ticks = 0;
  rest >> start_ticks;
  return static_cast<double>(start_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double UptimeSeconds() {
  std::ifstream in("/proc/uptime");
  double up = 0;
  in >> up;
  return up;
}

}  // namespace

double ProcessStats::CpuSecondsUsed() noexcept {
  try {
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (!std::getline(in, line)) return 0;
    size_t close = line.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    // utime is field 14, stime field 15.
    for (int i = 3; i < 14 && rest >> field; ++i) {}
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    rest >> utime >> stime;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  } catch (...) {
    return 0;
  }
}

uint64_t ProcessStats::ResidentBytes() noexcept {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0;
  unsigned long long resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

ProcessStats::ProcessStats(std::chrono::milliseconds min_interval) : min_interval_(min_interval) {}

ProcessStats::Sample ProcessStats::Read() {
  Sample s;
  s.resident_bytes = ResidentBytes();
  double cpu = CpuSecondsUsed();
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (first_) {
    double alive = UptimeSeconds() - ProcessStartSeconds();
    last_percent_ = alive > 0.01 ? 100.0 * cpu / alive : 0.0;
    last_time_ = now;
    last_cpu_seconds_ = cpu;
    first_ = false;
  } else if (now - last_time_ >= min_interval_) {
    double wall = std::chrono::duration<double>(now - last_time_).count();
    last_percent_ = wall > 0 ? 100.0 * (cpu - last_cpu_seconds_) / wall : 0.0;
    if (last_percent_ < 0) last_percent_ = 0;
    last_time_ = now;
    last_cpu_seconds_ = cpu;
  }
  s.cpu_percent = last_percent_;
  return s;
}

}  // namespace aura::common
