// File: common/metrics/metrics.h
//
// Metrics for the Prometheus text exposition, on prometheus-cpp. A component
// owns a struct of instruments created once at construction; recording is a
// few atomic operations and takes no lock shared across requests
// (prometheus-cpp's own Histogram takes a mutex per series, so histograms
// here are LatencyHistogram, lock-free, exposed through a Collectable).
//
//   MetricsRegistry registry;
//   auto& requests = registry.Counter("aura_http_server_requests_total", "HTTP requests served.");
//   prometheus::Counter& ok = requests.Add({{"route", "/v1/negotiate"}, {"status_class", "2xx"}});
//   ok.Increment();                                   // lock-free
//   HistogramFamily& latency = registry.Histogram("aura_http_server_request_duration_seconds",
//                                                 "Time to answer.", kLatencyBuckets);
//   LatencyHistogram& h = latency.Add({{"route", "/v1/negotiate"}});
//   h.Observe(0.0012);                                // lock-free
//   std::string text = registry.Serialize();          // for GET /metrics
//
// Thread-safe. Families and series are created under a mutex (at construction
// or first use); recording never locks.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace aura::common {

// The Content-Type of the text exposition format 0.0.4.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Buckets in seconds from 100 µs to 10 s, for request and call durations.
extern const std::vector<double> kLatencyBuckets;

// A histogram series whose Observe is lock-free (atomic bucket counts and sum).
class LatencyHistogram {
 public:
  explicit LatencyHistogram(const std::vector<double>* bounds);
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  void Observe(double value) noexcept;
  uint64_t Count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double Sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  // Non-cumulative count of bucket i (i == bounds.size() is the +Inf bucket).
  uint64_t BucketCount(size_t i) const noexcept { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// A histogram family: one LatencyHistogram per label set. Thread-safe.
class HistogramFamily : public prometheus::Collectable {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<double> bounds);
  // The series for these labels, created on first use; the reference stays
  // valid for the family's lifetime.
  LatencyHistogram& Add(const std::map<std::string, std::string>& labels);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string name_;
  std::string help_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::map<std::string, std::string>, std::unique_ptr<LatencyHistogram>> series_;
};

// The metrics of one process. Thread-safe.
class MetricsRegistry {
 public:
  MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  prometheus::Family<prometheus::Counter>& Counter(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Gauge>& Gauge(const std::string& name, const std::string& help);
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             const std::vector<double>& bounds = kLatencyBuckets);
  // Runs before every Serialize, to refresh gauges that are sampled (process
  // figures, queue sizes). Must be quick and must not throw.
  void OnCollect(std::function<void()> refresh);

  // The text exposition of every family, each HELP/TYPE once, newline-terminated.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<HistogramFamily>> histograms_;
  std::vector<std::function<void()>> refreshers_;
};

// Hit rate over a sliding window (default 60 s) of per-second buckets;
// lock-free recording. Used for the `cache_hit_rate` vital sign.
class HitRateWindow {
 public:
  explicit HitRateWindow(int window_seconds = 60);
  void Record(bool hit, int64_t now_unix) noexcept;
  // hits / (hits + misses) within the window ending at now; 0 with no lookups.
  double Rate(int64_t now_unix) const noexcept;
  uint64_t Lookups(int64_t now_unix) const noexcept;

 private:
  struct Slot {
    std::atomic<int64_t> second{-1};
    std::atomic<uint64_t> hits{0};
    std::atomic<uint64_t> misses{0};
  };
  int window_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace aura::common
