#include "telemetry/sdk/tracing_options.h"

#include <gtest/gtest.h>

#include "telemetry/sdk/resource.h"

namespace aura::telemetry::sdk {
namespace {

TracingOptions Parse(std::map<std::string, std::string> vars) {
  return ParseTracingOptions(common::LoadConfig(common::Environment::FromMap(std::move(vars)), "svc"));
}

TEST(TracingOptions, BspVariablesWithWarningsAndClamp) {
  auto o = Parse({{"OTEL_BSP_SCHEDULE_DELAY", "100"}, {"OTEL_BSP_EXPORT_TIMEOUT", "200"},
                  {"OTEL_BSP_MAX_QUEUE_SIZE", "64"}, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "128"}});
  EXPECT_EQ(o.bsp.schedule_delay, std::chrono::milliseconds(100));
  EXPECT_TRUE(o.schedule_delay_set);
  EXPECT_EQ(o.bsp.export_timeout, std::chrono::milliseconds(200));
  EXPECT_EQ(o.bsp.max_queue_size, 64u);
  EXPECT_EQ(o.bsp.max_export_batch_size, 64u);  // clamped
  EXPECT_EQ(o.warnings.size(), 1u);
  auto bad = Parse({{"OTEL_BSP_SCHEDULE_DELAY", "-5"}, {"OTEL_BSP_MAX_QUEUE_SIZE", "0"},
                    {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "abc"}});
  EXPECT_EQ(bad.bsp.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_FALSE(bad.schedule_delay_set);  // the in-process default may still apply
  EXPECT_EQ(bad.bsp.max_queue_size, 2048u);
  EXPECT_EQ(bad.bsp.max_export_batch_size, 512u);
  EXPECT_EQ(bad.warnings.size(), 3u);
}

TEST(TracingOptions, SpanLimitsSpecificWinsOverGeneral) {
  auto o = Parse({{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "10"}, {"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "20"},
                  {"OTEL_ATTRIBUTE_COUNT_LIMIT", "5"}, {"OTEL_SPAN_EVENT_COUNT_LIMIT", "3"},
                  {"OTEL_SPAN_LINK_COUNT_LIMIT", "2"}, {"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "4"},
                  {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "6"}});
  EXPECT_EQ(o.limits.attribute_value_length, 20u);
  EXPECT_EQ(o.limits.attribute_count, 5u);
  EXPECT_EQ(o.limits.event_count, 3u);
  EXPECT_EQ(o.limits.link_count, 2u);
  EXPECT_EQ(o.limits.attributes_per_event, 4u);
  EXPECT_EQ(o.limits.attributes_per_link, 6u);
  auto d = Parse({});
  EXPECT_EQ(d.limits.attribute_count, 128u);
  EXPECT_EQ(d.limits.attribute_value_length, SpanLimits::kUnlimited);
}

TEST(TracingOptions, SdkDisabledAndExporterEnums) {
  EXPECT_TRUE(Parse({{"OTEL_SDK_DISABLED", "True"}}).sdk_disabled);
  EXPECT_FALSE(Parse({{"OTEL_SDK_DISABLED", "yes"}}).sdk_disabled);
  EXPECT_FALSE(Parse({{"OTEL_SDK_DISABLED", ""}}).sdk_disabled);  // empty = unset
  EXPECT_EQ(Parse({{"OTEL_TRACES_EXPORTER", "Console"}}).exporter, TracesExporterKind::kConsole);
  EXPECT_EQ(Parse({{"OTEL_TRACES_EXPORTER", "none"}}).exporter, TracesExporterKind::kNone);
  EXPECT_EQ(Parse({{"OTEL_TRACES_EXPORTER", "jaeger"}}).exporter, TracesExporterKind::kOtlp);
  EXPECT_EQ(Parse({{"OTEL_PROPAGATORS", "baggage"}}).propagators, "baggage");
}

TEST(Resource, AttributesParsingAndPrecedence) {
  auto attrs = ParseResourceAttributes("a=1, b = x%2Cy ,c=%3D");
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->size(), 3u);
  EXPECT_EQ(std::get<std::string>((*attrs)[1].second), "x,y");
  EXPECT_EQ(std::get<std::string>((*attrs)[2].second), "=");
  EXPECT_FALSE(ParseResourceAttributes("a=%ZZ"));
  EXPECT_FALSE(ParseResourceAttributes("novalue"));

  std::vector<std::string> warnings;
  Resource r = MakeResource({.service_name = "code", .attributes = {{"deployment.environment", std::string("ci")}}},
                            common::Environment::FromMap({{"OTEL_RESOURCE_ATTRIBUTES",
                                                           "service.name=env,deployment.environment=prod,team=t"}}),
                            &warnings);
  EXPECT_EQ(r.Get("service.name"), "code");
  EXPECT_EQ(r.Get("deployment.environment"), "ci");  // code wins
  EXPECT_EQ(r.Get("team"), "t");
  EXPECT_EQ(r.Get("telemetry.sdk.language"), "cpp");
  EXPECT_EQ(r.Get("telemetry.sdk.name"), "aura-telemetry");
  EXPECT_FALSE(r.Get("telemetry.sdk.version").empty());
  EXPECT_FALSE(r.Get("service.instance.id").empty());
  EXPECT_NE(r.Find("process.pid"), nullptr);
  EXPECT_TRUE(warnings.empty());

  Resource bad = MakeResource({}, common::Environment::FromMap({{"OTEL_RESOURCE_ATTRIBUTES", "team=%G1"}}), &warnings);
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_EQ(bad.Find("team"), nullptr);
  EXPECT_EQ(bad.Get("service.name").rfind("unknown_service", 0), 0u);
}

}  // namespace
}  // namespace aura::telemetry::sdk
