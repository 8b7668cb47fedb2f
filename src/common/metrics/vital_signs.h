// File: common/metrics/vital_signs.h
//
// VitalSigns: the hive's four vital signs under the names existing dashboards
// and clients use, each with a conventionally named twin that passes
// `promtool check metrics` and that new dashboards should prefer:
//
//   cpu_usage_percent        this process, averaged over ~1 s    (twin: aura_process_cpu_usage_ratio)
//   memory_usage_mb          resident memory in MiB             (twin: aura_process_resident_memory_bytes)
//   cache_hit_rate{cache}    hits / lookups over the last 60 s  (twin: aura_cache_hit_ratio{cache})
//   negotiation_count        negotiation sessions still valid   (twin: aura_negotiation_sessions_active)
//
// plus aura_build_info{version,commit} 1. Figures are sampled when /metrics
// is scraped.
//
//   VitalSigns vitals(registry);
//   vitals.SetNegotiationCount([&] { return store.CountValidNegotiations(now); });
//   HitRateWindow& search_cache = vitals.Cache("search");
//   search_cache.Record(/*hit=*/true, clock.NowUnixSeconds());
//
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/metrics/metrics.h"
#include "common/metrics/process_stats.h"

namespace aura::common {

// The version and commit this binary was built from.
std::string_view BuildVersion() noexcept;
std::string_view BuildCommit() noexcept;

class VitalSigns {
 public:
  explicit VitalSigns(MetricsRegistry& registry, const Clock& clock = SystemClock::Instance());
  VitalSigns(const VitalSigns&) = delete;
  VitalSigns& operator=(const VitalSigns&) = delete;

  // Supplies negotiation_count at scrape time; nullopt (e.g. the store is
  // down) keeps the last value. Without a provider the series is not shown.
  void SetNegotiationCount(std::function<std::optional<int64_t>()> provider);
  // The hit-rate window of the named cache, created with its series on first use.
  HitRateWindow& Cache(const std::string& name);
  // CPU and memory now (the same figures /metrics shows).
  ProcessStats::Sample Process() { return stats_.Read(); }

 private:
  void Refresh();

  const Clock& clock_;
  ProcessStats stats_;
  prometheus::Gauge& cpu_percent_;
  prometheus::Gauge& cpu_ratio_;
  prometheus::Gauge& memory_mb_;
  prometheus::Gauge& memory_bytes_;
  prometheus::Family<prometheus::Gauge>& hit_rate_family_;
  prometheus::Family<prometheus::Gauge>& hit_ratio_family_;
  prometheus::Family<prometheus::Gauge>& negotiations_family_;
  prometheus::Family<prometheus::Gauge>& sessions_family_;
  std::mutex mu_;
  std::function<std::optional<int64_t>()> negotiation_count_;
  prometheus::Gauge* negotiation_count_gauge_ = nullptr;
  prometheus::Gauge* sessions_gauge_ = nullptr;
  struct CacheSeries {
    std::unique_ptr<HitRateWindow> window;
    prometheus::Gauge* rate;
    prometheus::Gauge* ratio;
  };
  std::map<std::string, CacheSeries> caches_;
};

}  // namespace aura::common
