#include "gateway/gateway_server.h"
#include "tests/support/process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace aura::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Get(std::string_view path) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
}

TEST(GatewayServer, StartsAndServesLivenessWithoutTheCore) {
  GatewayServer gateway({.bind_address = "127.0.0.1",
                         .http_port = 0,
                         .io_threads = 1,
                         .core_address = "127.0.0.1:" + std::to_string(aura::testing::FreePort())});
  ASSERT_TRUE(gateway.Start().ok());
  ASSERT_GT(gateway.port(), 0);

  std::string live = aura::testing::HttpExchange(gateway.port(), Get("/healthz"));
  EXPECT_THAT(live, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(live, HasSubstr(R"({"status":"ok"})"));
  EXPECT_THAT(live, HasSubstr("X-Request-ID: "));

  auto start = std::chrono::steady_clock::now();
  std::string ready = aura::testing::HttpExchange(gateway.port(), Get("/readyz"));
  EXPECT_THAT(ready, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(ready, HasSubstr(R"("status":"not_ready")"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));

  std::string health = aura::testing::HttpExchange(gateway.port(), Get("/health"));
  EXPECT_THAT(health, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(health, HasSubstr(R"("status":"degraded")"));

  std::string status = aura::testing::HttpExchange(gateway.port(), Get("/v1/system/status"));
  EXPECT_THAT(status, StartsWith("HTTP/1.1 503"));

  std::string unsigned_call = aura::testing::HttpExchange(
      gateway.port(),
      "POST /v1/negotiate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_THAT(unsigned_call, StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(unsigned_call, HasSubstr(R"({"detail":"Missing X-Agent-ID header"})"));
  gateway.Stop();
}

TEST(GatewayServer, ServesAddedRoutesAndInjectedMetrics) {
  GatewayDependencies deps;
  deps.metrics_text = [] { return std::string("vital_sign 1"); };
  GatewayServer gateway({.bind_address = "127.0.0.1", .http_port = 0, .io_threads = 1},
                        std::move(deps));
  gateway.AddRoute("GET", "/debug/traces", [](http::HttpRequest&, http::HttpResponder r) {
    std::move(r).Send(http::HttpResponse::Json(200, "[]"));
  });
  ASSERT_TRUE(gateway.Start().ok());
  EXPECT_THAT(aura::testing::HttpExchange(gateway.port(), Get("/debug/traces")), HasSubstr("\r\n\r\n[]"));
  std::string metrics = aura::testing::HttpExchange(gateway.port(), Get("/metrics"));
  EXPECT_THAT(metrics, HasSubstr("vital_sign 1\n"));
  EXPECT_THAT(metrics, HasSubstr("aura_http_server_requests_total"));
}

TEST(GatewayServer, RefusesAPortInUse) {
  GatewayServer first({.bind_address = "127.0.0.1", .http_port = 0, .io_threads = 1});
  ASSERT_TRUE(first.Start().ok());
  GatewayServer second({.bind_address = "127.0.0.1", .http_port = first.port(), .io_threads = 1});
  EXPECT_EQ(second.Start().code(), common::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace aura::gateway
