#include <gtest/gtest.h>

#include "common/config/environment.h"
#include "telemetry/api/propagator.h"
#include "telemetry/sdk/sampler.h"
#include "telemetry/sdk/tracing_options.h"

namespace aura::telemetry::sdk {
namespace {

TraceId IdWithLow64(uint64_t low) {
  TraceId id;
  id.bytes[0] = 0xAB;
  for (int i = 0; i < 8; ++i) id.bytes[15 - i] = static_cast<uint8_t>(low >> (8 * i));
  return id;
}

SpanContext Parent(bool sampled, bool remote) {
  SpanContext p;
  p.trace_id = IdWithLow64(1);
  p.span_id.bytes[7] = 1;
  p.trace_flags = sampled ? kTraceFlagSampled : 0;
  p.is_remote = remote;
  p.trace_state = "vendor=x";
  return p;
}

TEST(Sampler, Descriptions) {
  EXPECT_EQ(MakeAlwaysOnSampler()->Description(), "AlwaysOnSampler");
  EXPECT_EQ(MakeAlwaysOffSampler()->Description(), "AlwaysOffSampler");
  EXPECT_EQ(MakeTraceIdRatioSampler(0.25)->Description(), "TraceIdRatioBased{0.250000}");
  EXPECT_EQ(MakeParentBasedSampler(MakeAlwaysOnSampler())->Description(),
            "ParentBased{root:AlwaysOnSampler,remoteParentSampled:AlwaysOnSampler,"
            "remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,"
            "localParentNotSampled:AlwaysOffSampler}");
}

TEST(Sampler, ReturnsParentTracestateUnchanged) {
  SpanContext p = Parent(true, true);
  EXPECT_EQ(MakeAlwaysOnSampler()->ShouldSample(&p, p.trace_id, "x", SpanKind::kInternal).trace_state, "vendor=x");
  EXPECT_EQ(MakeAlwaysOffSampler()->ShouldSample(&p, p.trace_id, "x", SpanKind::kInternal).trace_state, "vendor=x");
}

TEST(TraceIdRatioSampler, UsesLow64BitsAgainstFloorOfRatioTimes2To64) {
  auto s = MakeTraceIdRatioSampler(0.5);
  // floor(0.5 * 2^64) = 2^63.
  EXPECT_TRUE(s->ShouldSample(nullptr, IdWithLow64((1ULL << 63) - 1), "", SpanKind::kInternal).IsSampled());
  EXPECT_FALSE(s->ShouldSample(nullptr, IdWithLow64(1ULL << 63), "", SpanKind::kInternal).IsSampled());
  EXPECT_TRUE(MakeTraceIdRatioSampler(1.0)->ShouldSample(nullptr, IdWithLow64(~0ULL), "", SpanKind::kInternal).IsSampled());
  EXPECT_FALSE(MakeTraceIdRatioSampler(0.0)->ShouldSample(nullptr, IdWithLow64(0), "", SpanKind::kInternal).IsSampled());
  EXPECT_FALSE(MakeTraceIdRatioSampler(-1)->ShouldSample(nullptr, IdWithLow64(0), "", SpanKind::kInternal).IsSampled());
}

TEST(TraceIdRatioSampler, IgnoresParentFlagAndIsMonotonic) {
  SpanContext not_sampled = Parent(false, true);
  auto s = MakeTraceIdRatioSampler(0.25);
  TraceId low = IdWithLow64(100);
  EXPECT_TRUE(s->ShouldSample(&not_sampled, low, "", SpanKind::kInternal).IsSampled());
  for (uint64_t i = 0; i < 2000; ++i) {
    TraceId id = IdWithLow64(i * 0x9E3779B97F4A7C15ULL);
    if (MakeTraceIdRatioSampler(0.1)->ShouldSample(nullptr, id, "", SpanKind::kInternal).IsSampled()) {
      EXPECT_TRUE(MakeTraceIdRatioSampler(0.3)->ShouldSample(nullptr, id, "", SpanKind::kInternal).IsSampled());
    }
  }
}

TEST(ParentBasedSampler, DelegatesByParent) {
  auto s = MakeParentBasedSampler(MakeAlwaysOffSampler());
  EXPECT_FALSE(s->ShouldSample(nullptr, IdWithLow64(1), "", SpanKind::kInternal).IsSampled());
  SpanContext rs = Parent(true, true), rn = Parent(false, true), ls = Parent(true, false), ln = Parent(false, false);
  EXPECT_TRUE(s->ShouldSample(&rs, rs.trace_id, "", SpanKind::kInternal).IsSampled());
  EXPECT_FALSE(s->ShouldSample(&rn, rn.trace_id, "", SpanKind::kInternal).IsSampled());
  EXPECT_TRUE(s->ShouldSample(&ls, ls.trace_id, "", SpanKind::kInternal).IsSampled());
  EXPECT_FALSE(s->ShouldSample(&ln, ln.trace_id, "", SpanKind::kInternal).IsSampled());
}

TEST(ParentBasedSampler, AllFourOverridable) {
  auto s = MakeParentBasedSampler(MakeAlwaysOnSampler(), {.remote_parent_sampled = MakeAlwaysOffSampler(),
                                                          .remote_parent_not_sampled = MakeAlwaysOnSampler(),
                                                          .local_parent_sampled = MakeAlwaysOffSampler(),
                                                          .local_parent_not_sampled = MakeAlwaysOnSampler()});
  SpanContext rs = Parent(true, true), rn = Parent(false, true), ls = Parent(true, false), ln = Parent(false, false);
  EXPECT_FALSE(s->ShouldSample(&rs, rs.trace_id, "", SpanKind::kInternal).IsSampled());
  EXPECT_TRUE(s->ShouldSample(&rn, rn.trace_id, "", SpanKind::kInternal).IsSampled());
  EXPECT_FALSE(s->ShouldSample(&ls, ls.trace_id, "", SpanKind::kInternal).IsSampled());
  EXPECT_TRUE(s->ShouldSample(&ln, ln.trace_id, "", SpanKind::kInternal).IsSampled());
}

std::string Describe(std::map<std::string, std::string> vars, std::vector<std::string>* warnings_out = nullptr) {
  std::vector<std::string> warnings;
  auto s = ParseSampler(common::Environment::FromMap(std::move(vars)), warnings);
  if (warnings_out) *warnings_out = warnings;
  return s->Description();
}

TEST(ParseSampler, NamesAreCaseInsensitive) {
  EXPECT_EQ(Describe({}), MakeParentBasedSampler(MakeAlwaysOnSampler())->Description());
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "ALWAYS_OFF"}}), "AlwaysOffSampler");
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "always_on"}}), "AlwaysOnSampler");
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.5"}}),
            "TraceIdRatioBased{0.500000}");
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "parentbased_always_off"}}).substr(0, 33),
            "ParentBased{root:AlwaysOffSampler");
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.1"}})
                .substr(0, 44),
            "ParentBased{root:TraceIdRatioBased{0.100000}");
}

TEST(ParseSampler, UnknownNameWarnsAndKeepsDefault) {
  std::vector<std::string> w;
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "sometimes"}}, &w), MakeParentBasedSampler(MakeAlwaysOnSampler())->Description());
  EXPECT_EQ(w.size(), 1u);
}

TEST(ParseSampler, BadRatioWarnsAndMeansOne) {
  std::vector<std::string> w;
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1.5"}}, &w),
            "TraceIdRatioBased{1.000000}");
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "abc"}}, &w),
            "TraceIdRatioBased{1.000000}");
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "traceidratio"}}), "TraceIdRatioBased{1.000000}");
  // The argument is ignored by the other samplers.
  EXPECT_EQ(Describe({{"OTEL_TRACES_SAMPLER", "always_on"}, {"OTEL_TRACES_SAMPLER_ARG", "0.1"}}, &w), "AlwaysOnSampler");
  EXPECT_TRUE(w.empty());
}

}  // namespace
}  // namespace aura::telemetry::sdk
