#include "cli/bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace aura::cli {

size_t LatencyHistogram::BucketIndex(uint64_t nanos) noexcept {
  uint64_t v = std::min(nanos, kMaxTrackable);
  if (v < 2 * kSubBuckets) return static_cast<size_t>(v);
  int highest_bit = 63 - std::countl_zero(v);
  int shift = highest_bit - kSubBucketBits;
  return static_cast<size_t>(static_cast<uint64_t>(shift) * kSubBuckets + (v >> shift));
}

uint64_t LatencyHistogram::BucketLowest(size_t index) noexcept {
  if (index < 2 * kSubBuckets) return index;
  uint64_t shift = index / kSubBuckets - 1;
  uint64_t top = index - shift * kSubBuckets;
  return top << shift;
}

uint64_t LatencyHistogram::BucketHighest(size_t index) noexcept {
  if (index < 2 * kSubBuckets) return index;
  uint64_t shift = index / kSubBuckets - 1;
  return BucketLowest(index) + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::Record(std::chrono::nanoseconds value) noexcept {
  RecordNanos(value.count() < 0 ? 0 : static_cast<uint64_t>(value.count()));
}

void LatencyHistogram::RecordNanos(uint64_t nanos) noexcept {
  uint64_t v = std::min(nanos, kMaxTrackable);
  ++counts_[BucketIndex(v)];
  ++count_;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  sum_ += static_cast<long double>(v);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) noexcept {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void LatencyHistogram::Reset() noexcept { *this = LatencyHistogram(); }

std::chrono::nanoseconds LatencyHistogram::min() const noexcept {
  return std::chrono::nanoseconds(count_ == 0 ? 0 : min_);
}

std::chrono::nanoseconds LatencyHistogram::Mean() const noexcept {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(sum_ / count_)));
}

std::chrono::nanoseconds LatencyHistogram::Percentile(double p) const noexcept {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      uint64_t v = std::clamp(BucketHighest(i), min_, max_);
      return std::chrono::nanoseconds(static_cast<int64_t>(v));
    }
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(max_));
}

}  // namespace aura::cli
