// File: cli/bench/latency_histogram.h
//
// LatencyHistogram: a fixed-size, log-linear histogram of durations in
// nanoseconds for `aura bench`, precise to under 1 % at every scale and cheap
// enough to record every request (one shift, one add).
//
// Layout. With S = 2^kSubBucketBits = 128 linear slots per power of two:
//   - values below 2·S ns (0..255) get one bucket each (exact);
//   - a larger value v whose highest set bit is m falls in the power-of-two
//     range [2^m, 2^(m+1)), which is cut into S equal slots of width
//     2^(m - kSubBucketBits). Its index is shift·S + (v >> shift) with
//     shift = m - kSubBucketBits, so indices run on without gaps from range to
//     range.
// The relative width of a bucket is therefore at most 1/S (0.78 %). Values are
// clamped to kMaxTrackable (2^40 ns, about 18 minutes), which bounds the array
// to (40 - 7 + 1)·128 = 4352 counters (34 KiB).
//
// A percentile is answered with the highest value of the bucket that holds the
// rank ceil(p/100 · count) (so it never under-reports), clamped to the largest
// value recorded.
//
//   LatencyHistogram h;
//   h.Record(std::chrono::microseconds(850));
//   h.Merge(other_thread_histogram);
//   std::chrono::nanoseconds p99 = h.Percentile(99.0);
//
// Thread-compatible: give each thread its own and Merge() at the end.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace aura::cli {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  static constexpr int kMaxBits = 40;
  static constexpr uint64_t kMaxTrackable = (uint64_t{1} << kMaxBits) - 1;
  static constexpr size_t kBucketCount = (kMaxBits - kSubBucketBits + 1) * kSubBuckets;

  void Record(std::chrono::nanoseconds value) noexcept;
  void RecordNanos(uint64_t nanos) noexcept;
  void Merge(const LatencyHistogram& other) noexcept;
  void Reset() noexcept;

  uint64_t count() const noexcept { return count_; }
  std::chrono::nanoseconds min() const noexcept;
  std::chrono::nanoseconds max() const noexcept { return std::chrono::nanoseconds(max_); }
  std::chrono::nanoseconds Mean() const noexcept;
  // p in [0, 100]; 0 for an empty histogram.
  std::chrono::nanoseconds Percentile(double p) const noexcept;

  // Bucket arithmetic, public for tests.
  static size_t BucketIndex(uint64_t nanos) noexcept;
  static uint64_t BucketLowest(size_t index) noexcept;
  static uint64_t BucketHighest(size_t index) noexcept;

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  // Sum in nanoseconds as long double: no overflow for any realistic run.
  long double sum_ = 0;
};

}  // namespace aura::cli
