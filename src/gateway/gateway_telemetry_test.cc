// GatewayServer with a real tracing pipeline: server spans continuing an
// incoming traceparent, the gRPC client span as their child, Error on 5xx,
// /debug/traces filters, /hive, and /metrics passing promtool.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/gateway_server.h"
#include "gateway/telemetry_routes.h"
#include "telemetry/metrics_bridge.h"
#include "telemetry/tracing.h"
#include "tests/support/process.h"

namespace aura::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

std::string Get(std::string_view path, std::string extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
         extra_headers + "\r\n";
}

std::string Body(const std::string& response) {
  size_t i = response.find("\r\n\r\n");
  return i == std::string::npos ? "" : response.substr(i + 4);
}

class GatewayTelemetry : public ::testing::Test {
 protected:
  void SetUp() override {
    tracing_ = telemetry::InstallTracing(
        common::LoadConfig(common::Environment::FromMap({}), "aura-gateway"), "aura-gateway");
    GatewayDependencies deps;
    deps.telemetry_health_json = [h = tracing_.health] { return TelemetryHealthJson(h->Snapshot()); };
    gateway_ = std::make_unique<GatewayServer>(
        GatewayServerOptions{.bind_address = "127.0.0.1",
                             .http_port = 0,
                             .io_threads = 1,
                             .core_address = "127.0.0.1:" + std::to_string(aura::testing::FreePort()),
                             .core_timeout = 2000ms},
        std::move(deps));
    telemetry::PublishTracingHealth(gateway_->metrics(), tracing_.health);
    gateway_->AddRoute("GET", "/debug/traces", DebugTracesHandler(tracing_.recent_spans));
    ASSERT_TRUE(gateway_->Start().ok());
  }
  void TearDown() override {
    gateway_.reset();
    tracing_.Shutdown();
  }
  std::string Traces(const std::string& query) {
    EXPECT_TRUE(tracing_.provider->ForceFlush(5s));
    return Body(aura::testing::HttpExchange(gateway_->port(), Get("/debug/traces?" + query)));
  }

  telemetry::TracingPipeline tracing_;
  std::unique_ptr<GatewayServer> gateway_;
};

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kParent = "00f067aa0ba902b7";

TEST_F(GatewayTelemetry, ServerSpanContinuesIncomingTraceparent) {
  std::string res = aura::testing::HttpExchange(gateway_->port(),
                             Get("/healthz", std::string("traceparent: 00-") + kTraceId + "-" +
                                                 kParent + "-01\r\n"));
  ASSERT_THAT(res, HasSubstr("200 OK"));
  std::string json = Traces(std::string("trace_id=") + kTraceId);
  EXPECT_THAT(json, HasSubstr("\"name\":\"GET /healthz\""));
  EXPECT_THAT(json, HasSubstr(std::string("\"parent_span_id\":\"") + kParent + "\""));
  EXPECT_THAT(json, HasSubstr("\"kind\":\"server\""));
  EXPECT_THAT(json, HasSubstr("\"http.route\":\"/healthz\""));
  EXPECT_THAT(json, HasSubstr("\"http.response.status_code\":200"));
  EXPECT_THAT(json, HasSubstr("\"url.scheme\":\"http\""));
}

TEST_F(GatewayTelemetry, QueryIsRecordedWithSecretsRedacted) {
  aura::testing::HttpExchange(gateway_->port(), Get("/healthz?page=2&sort=asc",
                                 std::string("traceparent: 00-") + kTraceId + "-" + kParent + "-01\r\n"));
  aura::testing::HttpExchange(gateway_->port(), Get("/healthz?page=3&token=hunter2",
                                 std::string("traceparent: 00-") + kTraceId + "-" + kParent + "-01\r\n"));
  std::string json = Traces(std::string("trace_id=") + kTraceId);
  EXPECT_THAT(json, HasSubstr("\"url.query\":\"page=2&sort=asc\""));
  EXPECT_THAT(json, Not(HasSubstr("hunter2")));
}

TEST_F(GatewayTelemetry, CoreOutageGivesErrorServerSpanWithClientChild) {
  std::string res = aura::testing::HttpExchange(gateway_->port(),
                             Get("/v1/system/status", std::string("traceparent: 00-") + kTraceId +
                                                          "-" + kParent + "-01\r\n"));
  ASSERT_THAT(res, HasSubstr(" 503 "));
  std::string json = Traces(std::string("trace_id=") + kTraceId + "&error=true");
  EXPECT_THAT(json, HasSubstr("\"name\":\"GET /v1/system/status\""));
  EXPECT_THAT(json, HasSubstr("\"error.type\":\"503\""));
  EXPECT_THAT(json, HasSubstr("\"name\":\"aura.negotiation.v1.NegotiationService/GetSystemStatus\""));
  EXPECT_THAT(json, HasSubstr("\"rpc.system\":\"grpc\""));
  EXPECT_THAT(json, HasSubstr("\"rpc.grpc.status_code\":14"));
  EXPECT_THAT(json, HasSubstr("\"server.address\":\"127.0.0.1\""));
  // The client span's parent is the server span, whose parent is the remote one.
  size_t server = json.find("\"name\":\"GET /v1/system/status\"");
  size_t open = json.rfind('{', server);
  std::string server_obj = json.substr(open, json.find("\"attributes\"", server) - open);
  size_t sid = server_obj.find("\"span_id\":\"");
  ASSERT_NE(sid, std::string::npos) << server_obj;
  std::string server_span_id = server_obj.substr(sid + 11, 16);
  EXPECT_THAT(json, HasSubstr("\"parent_span_id\":\"" + server_span_id + "\""));
  EXPECT_THAT(json, HasSubstr("\"kind\":\"client\""));
}

TEST_F(GatewayTelemetry, UnknownRouteIsNamedByMethodOnly) {
  aura::testing::HttpExchange(gateway_->port(), Get("/nope", std::string("traceparent: 00-") + kTraceId + "-" +
                                              kParent + "-01\r\n"));
  std::string json = Traces(std::string("trace_id=") + kTraceId);
  EXPECT_THAT(json, HasSubstr("\"name\":\"GET\""));
  EXPECT_THAT(json, Not(HasSubstr("http.route")));
}

TEST_F(GatewayTelemetry, DebugTracesFiltersAndRejectsBadInput) {
  aura::testing::HttpExchange(gateway_->port(), Get("/healthz"));
  EXPECT_THAT(Traces("service=aura-gateway"), HasSubstr("GET /healthz"));
  EXPECT_EQ(Traces("service=other"), "{\"traces\":[]}");
  EXPECT_EQ(Traces("min_duration_ms=100000000"), "{\"traces\":[]}");
  EXPECT_EQ(Traces("error=true&limit=5"), "{\"traces\":[]}");
  EXPECT_THAT(aura::testing::HttpExchange(gateway_->port(), Get("/debug/traces?trace_id=xyz")), HasSubstr(" 400 "));
  EXPECT_THAT(aura::testing::HttpExchange(gateway_->port(), Get("/debug/traces?limit=0")), HasSubstr(" 400 "));
  EXPECT_THAT(aura::testing::HttpExchange(gateway_->port(), Get("/debug/traces?min_duration_ms=-1")),
              HasSubstr(" 400 "));
}

TEST_F(GatewayTelemetry, HiveServesThePage) {
  std::string res = aura::testing::HttpExchange(gateway_->port(), Get("/hive"));
  EXPECT_THAT(res, HasSubstr("200 OK"));
  EXPECT_THAT(res, HasSubstr("Content-Type: text/html; charset=utf-8"));
  EXPECT_THAT(res, HasSubstr("/debug/traces"));
  EXPECT_THAT(res, HasSubstr("</html>"));
}

TEST_F(GatewayTelemetry, HealthHasTelemetrySection) {
  std::string res = aura::testing::HttpExchange(gateway_->port(), Get("/health"));
  EXPECT_THAT(res, HasSubstr("\"telemetry\":{\"status\":\"ok\",\"enabled\":true"));
  EXPECT_THAT(res, HasSubstr("\"spans_exported\":"));
}

// promtool's lint may only name the two compatibility series the design keeps.
TEST_F(GatewayTelemetry, MetricsAfterTrafficPassPromtool) {
  aura::testing::HttpExchange(gateway_->port(), Get("/healthz"));
  aura::testing::HttpExchange(gateway_->port(), Get("/nope"));
  aura::testing::HttpExchange(gateway_->port(), Get("/v1/system/status"));
  ASSERT_TRUE(tracing_.provider->ForceFlush(5s));
  std::string res = aura::testing::HttpExchange(gateway_->port(), Get("/metrics"));
  EXPECT_THAT(res, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8"));
  std::string text = Body(res);
  EXPECT_THAT(text, HasSubstr(
      "aura_http_server_requests_total{method=\"GET\",route=\"/healthz\",status_class=\"2xx\"} 1"));
  EXPECT_THAT(text, HasSubstr("route=\"unmatched\",status_class=\"4xx\"} 1"));
  EXPECT_THAT(text, HasSubstr(
      "aura_grpc_client_handled_total{code=\"UNAVAILABLE\",method=\"GetSystemStatus\"} 1"));
  EXPECT_THAT(text, HasSubstr("aura_gateway_negotiation_responses_total{outcome=\"accepted\"} 0"));
  EXPECT_THAT(text, HasSubstr("aura_telemetry_spans_started_total"));
  EXPECT_THAT(text, HasSubstr("aura_telemetry_spans_exported_total"));
  EXPECT_THAT(text, HasSubstr("aura_telemetry_exporter_up 1"));
  EXPECT_THAT(text, HasSubstr("aura_ratelimit_rejections_total"));
  EXPECT_THAT(text, HasSubstr("cpu_usage_percent"));
  EXPECT_THAT(text, Not(HasSubstr("negotiation_count")));
  aura::testing::PromtoolResult promtool = aura::testing::PromtoolCheckMetrics(text);
  ASSERT_NE(promtool.exit_code, 127) << "promtool (Debian package prometheus) is needed";
  ASSERT_NE(promtool.exit_code, 1) << promtool.output;
  EXPECT_TRUE(promtool.unexpected_findings.empty()) << promtool.output;
}

}  // namespace
}  // namespace aura::gateway
