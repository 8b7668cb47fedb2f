#include "common/metrics/vital_signs.h"

#ifndef AURA_VERSION
#define AURA_VERSION "0.0.0"
#endif
#ifndef AURA_COMMIT
#define AURA_COMMIT "unknown"
#endif

namespace aura::common {

std::string_view BuildVersion() noexcept { return AURA_VERSION; }
std::string_view BuildCommit() noexcept { return AURA_COMMIT; }

VitalSigns::VitalSigns(MetricsRegistry& registry, const Clock& clock)
    : clock_(clock),
      cpu_percent_(registry.Gauge("cpu_usage_percent",
                                  "CPU used by this process in percent of one core, averaged over about a second "
                                  "(compatibility name; prefer aura_process_cpu_usage_ratio).")
                       .Add({})),
      cpu_ratio_(registry.Gauge("aura_process_cpu_usage_ratio",
                                "CPU used by this process as a fraction of one core, averaged over about a second.")
                     .Add({})),
      memory_mb_(registry.Gauge("memory_usage_mb",
                                "Resident memory of this process in MiB (compatibility name; prefer "
                                "aura_process_resident_memory_bytes).")
                     .Add({})),
      memory_bytes_(registry.Gauge("aura_process_resident_memory_bytes", "Resident memory of this process in bytes.")
                        .Add({})),
      hit_rate_family_(registry.Gauge("cache_hit_rate",
                                      "Share of cache lookups that hit over the last 60 s, per cache "
                                      "(compatibility name; same value as aura_cache_hit_ratio).")),
      hit_ratio_family_(registry.Gauge("aura_cache_hit_ratio",
                                       "Share of cache lookups that hit over the last 60 s, per cache.")),
      negotiations_family_(registry.Gauge("negotiation_count",
                                          "Negotiation sessions still valid (compatibility name; prefer "
                                          "aura_negotiation_sessions_active).")),
      sessions_family_(registry.Gauge("aura_negotiation_sessions_active", "Negotiation sessions still valid.")) {
  registry.Gauge("aura_build_info", "The version and commit this binary was built from; always 1.")
      .Add({{"version", std::string(BuildVersion())}, {"commit", std::string(BuildCommit())}})
      .Set(1);
  registry.OnCollect([this] { Refresh(); });
}

void VitalSigns::SetNegotiationCount(std::function<std::optional<int64_t>()> provider) {
  std::lock_guard lock(mu_);
  negotiation_count_ = std::move(provider);
  if (negotiation_count_gauge_ == nullptr) {
    negotiation_count_gauge_ = &negotiations_family_.Add({});
    sessions_gauge_ = &sessions_family_.Add({});
  }
}

HitRateWindow& VitalSigns::Cache(const std::string& name) {
  std::lock_guard lock(mu_);
  auto& series = caches_[name];
  if (!series.window) {
    series.window = std::make_unique<HitRateWindow>(60);
    series.rate = &hit_rate_family_.Add({{"cache", name}});
    series.ratio = &hit_ratio_family_.Add({{"cache", name}});
  }
  return *series.window;
}

void VitalSigns::Refresh() {
  ProcessStats::Sample s = stats_.Read();
  cpu_percent_.Set(s.cpu_percent);
  cpu_ratio_.Set(s.cpu_percent / 100.0);
  memory_mb_.Set(s.resident_mb());
  memory_bytes_.Set(static_cast<double>(s.resident_bytes));
  std::function<std::optional<int64_t>()> count;
  {
    std::lock_guard lock(mu_);
    int64_t now = clock_.NowUnixSeconds();
    for (auto& [name, series] : caches_) {
      double rate = series.window->Rate(now);
      series.rate->Set(rate);
      series.ratio->Set(rate);
    }
    count = negotiation_count_;
  }
  // Asked outside the lock: the provider may make a database round trip.
  if (count) {
    if (std::optional<int64_t> n = count()) {
      negotiation_count_gauge_->Set(static_cast<double>(*n));
      sessions_gauge_->Set(static_cast<double>(*n));
    }
  }
}

}  // namespace aura::common
