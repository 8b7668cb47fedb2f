// File: core/status/system_status.h
//
// The hive's system status as GetSystemStatus answers it: CPU and memory, from
// this process (LocalSystemStatus, the embedded default) or from Prometheus
// across every scraped core and gateway (PrometheusSystemStatus, when
// AURA_SERVER__PROMETHEUS_URL is set).
//
// PrometheusSystemStatus runs two instant PromQL queries over the hive's own
// series:
//   avg(cpu_usage_percent)   — the mean CPU percent of every scraped instance
//   avg(memory_usage_mb)     — the mean resident MiB of every scraped instance
// with a 5 s timeout, caches a good answer for 30 s (`cached: true` while it is
// served from cache), serves the stale cache on a timeout, connection error or
// bad response, and answers `status: "error"` with zero figures only when it
// has never had a good answer. Only one query runs at a time; callers arriving
// meanwhile get the cache when there is one.
//
//   auto status = MakeSystemStatusSource({.prometheus_url = config.core.prometheus_url});
//   SystemStatus s = status->Get();
//
// Thread-safe. Get() may block for up to the timeout: call it off I/O threads.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/metrics/process_stats.h"

namespace aura::core {

struct SystemStatus {
  std::string status;  // "ok" or "error"
  double cpu_usage_percent = 0;
  double memory_usage_mb = 0;
  std::string timestamp;  // ISO 8601 UTC with Z, when the figures were taken
  bool cached = false;

  friend bool operator==(const SystemStatus&, const SystemStatus&) = default;
};

// ISO 8601 UTC with microseconds and `Z`.
std::string IsoTimestamp(common::Clock::TimePoint t);

class SystemStatusSource {
 public:
  virtual ~SystemStatusSource() = default;
  virtual SystemStatus Get() = 0;
  // "local" or "prometheus".
  virtual std::string Kind() const = 0;
};

// Figures of this process from /proc; never cached, never an error.
class LocalSystemStatus final : public SystemStatusSource {
 public:
  explicit LocalSystemStatus(const common::Clock& clock = common::SystemClock::Instance()) : clock_(clock) {}
  SystemStatus Get() override;
  std::string Kind() const override { return "local"; }

 private:
  const common::Clock& clock_;
  common::ProcessStats stats_;
};

struct PrometheusSystemStatusOptions {
  std::string url;  // e.g. http://127.0.0.1:9090
  std::chrono::milliseconds timeout{5000};
  std::chrono::seconds cache_ttl{30};
  std::string cpu_query = "avg(cpu_usage_percent)";
  std::string memory_query = "avg(memory_usage_mb)";
};

class PrometheusSystemStatus final : public SystemStatusSource {
 public:
  explicit PrometheusSystemStatus(PrometheusSystemStatusOptions options,
                                  const common::Clock& clock = common::SystemClock::Instance());
  SystemStatus Get() override;
  std::string Kind() const override { return "prometheus"; }

 private:
  // Both figures, or nullopt on any failure (with the reason in `error`).
  std::optional<SystemStatus> Query(std::string& error);

  PrometheusSystemStatusOptions options_;
  const common::Clock& clock_;
  std::mutex query_mu_;  // one query at a time
  std::mutex cache_mu_;
  std::optional<SystemStatus> cache_;
  common::Clock::TimePoint cached_at_{};
};

struct SystemStatusOptions {
  std::string prometheus_url;  // empty = local figures
  std::chrono::milliseconds timeout{5000};
  std::chrono::seconds cache_ttl{30};
};

std::unique_ptr<SystemStatusSource> MakeSystemStatusSource(const SystemStatusOptions& options);

}  // namespace aura::core
