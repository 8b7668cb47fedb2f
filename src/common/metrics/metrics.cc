#include "common/metrics/metrics.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>

namespace aura::common {

const std::vector<double> kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                             0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                             1.0,    2.5,     5.0,    10.0};

LatencyHistogram::LatencyHistogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds->size() + 1)) {
  for (size_t i = 0; i <= bounds->size(); ++i) buckets_[i].store(0);
}

void LatencyHistogram::Observe(double value) noexcept {
  // Prometheus buckets are `le`: a value equal to a bound belongs to it.
  auto it = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  buckets_[static_cast<size_t>(it - bounds_->begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), bounds_(std::move(bounds)) {}

LatencyHistogram& HistogramFamily::Add(const std::map<std::string, std::string>& labels) {
  std::lock_guard lock(mu_);
  auto& slot = series_[labels];
  if (!slot) slot = std::make_unique<LatencyHistogram>(&bounds_);
  return *slot;
}

std::vector<prometheus::MetricFamily> HistogramFamily::Collect() const {
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = prometheus::MetricType::Histogram;
  std::lock_guard lock(mu_);
  for (const auto& [labels, h] : series_) {
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += h->BucketCount(i);
      m.histogram.bucket.push_back({cumulative, bounds_[i]});
    }
    cumulative += h->BucketCount(bounds_.size());
    m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    // The count is the +Inf bucket so the exposition is always self-consistent.
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = h->Sum();
    family.metric.push_back(std::move(m));
  }
  return {std::move(family)};
}

MetricsRegistry::MetricsRegistry() : registry_(std::make_shared<prometheus::Registry>()) {}

prometheus::Family<prometheus::Counter>& MetricsRegistry::Counter(const std::string& name,
                                                                  const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
}

prometheus::Family<prometheus::Gauge>& MetricsRegistry::Gauge(const std::string& name,
                                                              const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
}

HistogramFamily& MetricsRegistry::Histogram(const std::string& name, const std::string& help,
                                            const std::vector<double>& bounds) {
  std::lock_guard lock(mu_);
  auto& slot = histograms_[name];
  if (!slot) slot = std::make_shared<HistogramFamily>(name, help, bounds);
  return *slot;
}

void MetricsRegistry::OnCollect(std::function<void()> refresh) {
  std::lock_guard lock(mu_);
  refreshers_.push_back(std::move(refresh));
}

std::string MetricsRegistry::Serialize() const {
  std::vector<std::function<void()>> refreshers;
  std::vector<std::shared_ptr<HistogramFamily>> histograms;
  {
    std::lock_guard lock(mu_);
    refreshers = refreshers_;
    for (const auto& [name, h] : histograms_) histograms.push_back(h);
  }
  for (auto& r : refreshers) r();
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& h : histograms) {
    for (auto& f : h->Collect()) families.push_back(std::move(f));
  }
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

HitRateWindow::HitRateWindow(int window_seconds)
    : window_(window_seconds), slots_(std::make_unique<Slot[]>(static_cast<size_t>(window_seconds))) {}

void HitRateWindow::Record(bool hit, int64_t now_unix) noexcept {
  Slot& s = slots_[static_cast<size_t>(now_unix % window_)];
  int64_t seen = s.second.load(std::memory_order_acquire);
  if (seen != now_unix) {
    // First lookup in this second: claim the slot and clear last lap's counts.
    // A racing Record may lose a count or two at the boundary; a rate needs no more.
    if (s.second.compare_exchange_strong(seen, now_unix)) {
      s.hits.store(0, std::memory_order_relaxed);
      s.misses.store(0, std::memory_order_relaxed);
    }
  }
  (hit ? s.hits : s.misses).fetch_add(1, std::memory_order_relaxed);
}

uint64_t HitRateWindow::Lookups(int64_t now_unix) const noexcept {
  uint64_t total = 0;
  for (int i = 0; i < window_; ++i) {
    const Slot& s = slots_[static_cast<size_t>(i)];
    int64_t sec = s.second.load(std::memory_order_acquire);
    if (sec > now_unix - window_ && sec <= now_unix) {
      total += s.hits.load(std::memory_order_relaxed) + s.misses.load(std::memory_order_relaxed);
    }
  }
  return total;
}

double HitRateWindow::Rate(int64_t now_unix) const noexcept {
  uint64_t hits = 0;
  uint64_t all = 0;
  for (int i = 0; i < window_; ++i) {
    const Slot& s = slots_[static_cast<size_t>(i)];
    int64_t sec = s.second.load(std::memory_order_acquire);
    if (sec > now_unix - window_ && sec <= now_unix) {
      uint64_t h = s.hits.load(std::memory_order_relaxed);
      hits += h;
      all += h + s.misses.load(std::memory_order_relaxed);
    }
  }
  return all == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(all);
}

}  // namespace aura::common
