#include "cli/bench/latency_histogram.h"

#include <gtest/gtest.h>

#include <random>

namespace aura::cli {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(LatencyHistogram, EmptyAnswersZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), nanoseconds(0));
  EXPECT_EQ(h.min(), nanoseconds(0));
  EXPECT_EQ(h.Mean(), nanoseconds(0));
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 256; ++v) h.RecordNanos(v);
  EXPECT_EQ(h.Percentile(100), nanoseconds(255));
  EXPECT_EQ(h.min(), nanoseconds(0));
  // Rank ceil(0.5 * 256) = 128 is the value 127.
  EXPECT_EQ(h.Percentile(50), nanoseconds(127));
}

TEST(LatencyHistogram, BucketsAreContiguousAndNarrow) {
  for (size_t i = 1; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::BucketLowest(i), LatencyHistogram::BucketHighest(i - 1) + 1) << i;
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = rng() >> (24 + rng() % 40);
    size_t b = LatencyHistogram::BucketIndex(v);
    ASSERT_LE(LatencyHistogram::BucketLowest(b), v);
    ASSERT_GE(LatencyHistogram::BucketHighest(b), v);
    double width = static_cast<double>(LatencyHistogram::BucketHighest(b) - LatencyHistogram::BucketLowest(b));
    ASSERT_LE(width, static_cast<double>(v) / 128.0 + 1e-9) << v;
  }
  EXPECT_EQ(LatencyHistogram::BucketIndex(LatencyHistogram::kMaxTrackable),
            LatencyHistogram::kBucketCount - 1);
  EXPECT_EQ(LatencyHistogram::BucketIndex(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogram, PercentilesOfUniformValuesWithinOnePercent) {
  LatencyHistogram h;
  // 1 µs .. 10 000 µs, one each.
  for (int us = 1; us <= 10000; ++us) h.Record(microseconds(us));
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    double expected = p / 100.0 * 10000.0 * 1000.0;
    double got = static_cast<double>(h.Percentile(p).count());
    EXPECT_GE(got, expected) << p;  // never under-reports
    EXPECT_LE(got, expected * 1.01) << p;
  }
  EXPECT_EQ(h.Percentile(100), microseconds(10000));
  EXPECT_EQ(h.max(), microseconds(10000));
  EXPECT_EQ(h.min(), microseconds(1));
  EXPECT_NEAR(static_cast<double>(h.Mean().count()), 5000.5 * 1000.0, 1.0);
}

TEST(LatencyHistogram, TailPercentileSeesRareSlowRequests) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.Record(microseconds(500));
  for (int i = 0; i < 10; ++i) h.Record(microseconds(20000));
  EXPECT_LE(h.Percentile(99).count(), 505000);
  EXPECT_GE(h.Percentile(99.9).count(), 20000000);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int i = 1; i <= 1000; ++i) {
    (i % 2 ? a : b).Record(microseconds(i * 3));
    all.Record(microseconds(i * 3));
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double p : {1.0, 50.0, 99.0, 100.0}) EXPECT_EQ(a.Percentile(p), all.Percentile(p));
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
}

}  // namespace
}  // namespace aura::cli
