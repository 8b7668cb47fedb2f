#include "common/metrics/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>


#include "common/metrics/instruments.h"
#include "common/metrics/vital_signs.h"
#include "tests/support/process.h"

namespace aura::common {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

TEST(LatencyHistogram, BucketsAreLessOrEqualAndCumulative) {
  MetricsRegistry registry;
  HistogramFamily& family = registry.Histogram("aura_test_duration_seconds", "Test.", {0.1, 1.0});
  LatencyHistogram& h = family.Add({{"route", "/x"}});
  h.Observe(0.1);   // le=0.1
  h.Observe(0.5);   // le=1
  h.Observe(30.0);  // +Inf
  std::string text = registry.Serialize();
  EXPECT_NE(text.find("aura_test_duration_seconds_bucket{route=\"/x\",le=\"0.1\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("aura_test_duration_seconds_bucket{route=\"/x\",le=\"1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("aura_test_duration_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("aura_test_duration_seconds_count{route=\"/x\"} 3"), std::string::npos) << text;
  EXPECT_EQ(Count(text, "# TYPE aura_test_duration_seconds histogram"), 1u);
}

TEST(LatencyHistogram, ConcurrentObservationsAreAllCounted) {
  MetricsRegistry registry;
  LatencyHistogram& h = registry.Histogram("aura_test_seconds", "Test.").Add({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) h.Observe(0.001);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.Count(), 40000u);
  EXPECT_NEAR(h.Sum(), 40.0, 1e-6);
}

TEST(HitRateWindow, SlidesOverTheWindow) {
  HitRateWindow w(60);
  w.Record(true, 1000);
  w.Record(true, 1000);
  w.Record(false, 1001);
  EXPECT_DOUBLE_EQ(w.Rate(1001), 2.0 / 3.0);
  EXPECT_EQ(w.Lookups(1001), 3u);
  // 60 s later the first second has left the window.
  EXPECT_DOUBLE_EQ(w.Rate(1060), 0.0);
  w.Record(true, 1061);  // reuses the slot of second 1001
  EXPECT_DOUBLE_EQ(w.Rate(1061), 1.0);
  EXPECT_DOUBLE_EQ(HitRateWindow().Rate(5), 0.0);
}

TEST(VitalSigns, ExposesCompatibilityNamesAndTwins) {
  MetricsRegistry registry;
  FakeClock clock;
  VitalSigns vitals(registry, clock);
  int64_t sessions = 7;
  vitals.SetNegotiationCount([&]() -> std::optional<int64_t> { return sessions; });
  vitals.Cache("search").Record(true, clock.NowUnixSeconds());
  vitals.Cache("search").Record(false, clock.NowUnixSeconds());
  std::string text = registry.Serialize();
  EXPECT_NE(text.find("\nnegotiation_count 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\naura_negotiation_sessions_active 7\n"), std::string::npos);
  EXPECT_NE(text.find("cache_hit_rate{cache=\"search\"} 0.5"), std::string::npos);
  EXPECT_NE(text.find("\nmemory_usage_mb "), std::string::npos);
  EXPECT_NE(text.find("\naura_process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("\ncpu_usage_percent "), std::string::npos);
  EXPECT_NE(text.find("aura_build_info{"), std::string::npos);
  sessions = 3;
  EXPECT_NE(registry.Serialize().find("\nnegotiation_count 3\n"), std::string::npos);
  EXPECT_GT(vitals.Process().resident_bytes, 0u);
}

// promtool's lint may only name the two compatibility series the design keeps.
TEST(MetricsRegistry, PassesPromtoolApartFromCompatibilityNames) {
  MetricsRegistry registry;
  VitalSigns vitals(registry);
  vitals.SetNegotiationCount([]() -> std::optional<int64_t> { return 1; });
  vitals.Cache("search");
  registry.Counter("aura_test_requests_total", "Requests.").Add({{"route", "/a"}}).Increment();
  registry.Histogram("aura_test_request_duration_seconds", "Durations.").Add({}).Observe(0.2);
  std::string text = registry.Serialize();
  ASSERT_EQ(text.back(), '\n');
  aura::testing::PromtoolResult promtool = aura::testing::PromtoolCheckMetrics(text);
  ASSERT_NE(promtool.exit_code, 127) << "promtool (Debian package prometheus) is needed";
  ASSERT_NE(promtool.exit_code, 1) << promtool.output;
  EXPECT_TRUE(promtool.unexpected_findings.empty()) << promtool.output;
}

}  // namespace
}  // namespace aura::common

namespace aura::common {
namespace {

TEST(Instruments, RecordIntoBoundedFamilies) {
  MetricsRegistry registry;
  HttpServerMetrics http(registry);
  http.ForRoute("POST", "/v1/negotiate").Record(200, 0.002);
  http.ForRoute("POST", "/v1/negotiate").Record(429, 0.0001);
  GrpcMetrics grpc(registry, "server");
  grpc.ForMethod("Negotiate").Record(14, 0.01);
  DbClientMetrics db(registry);
  db.For("sqlite", "INSERT").Record(true, 0.0003);
  LlmMetrics llm(registry);
  llm.For("mistral-small", "chat").input_tokens->Increment(12);
  NegotiationMetrics negotiations(registry);
  negotiations.Outcome("countered", "BELOW_FLOOR");
  negotiations.Outcome("rejected", "SOMETHING_NEW");
  GatewayAuthMetrics auth(registry);
  auth.RateLimited();
  auth.SignatureFailure("invalid_signature");
  std::string text = registry.Serialize();
  EXPECT_NE(text.find(R"(aura_http_server_requests_total{method="POST",route="/v1/negotiate",status_class="2xx"} 1)"),
            std::string::npos) << text;
  EXPECT_NE(text.find(R"(status_class="4xx"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(aura_grpc_server_handled_total{code="UNAVAILABLE",method="Negotiate"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(aura_db_client_operations_total{operation="INSERT",outcome="ok",system="sqlite"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(aura_llm_tokens_total{direction="input",model="mistral-small"} 12)"), std::string::npos);
  EXPECT_NE(text.find(R"(aura_negotiation_outcomes_total{outcome="countered",reason="BELOW_FLOOR"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(reason="SOMETHING_NEW"} 1)"), std::string::npos);
  EXPECT_NE(text.find("aura_ratelimit_rejections_total 1"), std::string::npos);
  EXPECT_NE(text.find(R"(aura_auth_signature_failures_total{reason="invalid_signature"} 1)"), std::string::npos);
}

}  // namespace
}  // namespace aura::common
