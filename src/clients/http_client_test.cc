#include "clients/http_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "fake_llm_server.h"

namespace aura::clients {
namespace {

using std::chrono::milliseconds;
using nlohmann::json;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.Start().ok()); }

  HttpRequest Chat() const {
    return {.method = "POST",
            .url = fake_.base_url() + "/chat/completions",
            .headers = {{"Content-Type", "application/json"}},
            .body = R"({"model":"m","messages":[]})"};
  }

  static HttpClientOptions FastRetries(int attempts) {
    return {.retry = {.max_attempts = attempts,
                      .initial_backoff = milliseconds(10),
                      .max_backoff = milliseconds(50),
                      .jitter = 0.5},
            .jitter_seed = 42};
  }

  static milliseconds Since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  }

  fakes::FakeLlmServer fake_;
};

TEST_F(HttpClientTest, RetriesServerErrorsThenSucceeds) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 500}, {"times", 2}}})).ok());
  HttpClient http(FastRetries(3));
  auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(http.stats().retries, 2u);
  EXPECT_EQ(fake_.Requests().size(), 3u);
}

TEST_F(HttpClientTest, ReturnsTheLastErrorResponseWhenRetriesAreSpent) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 503}, {"times", 5}}})).ok());
  HttpClient http(FastRetries(3));
  auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(fake_.Requests().size(), 3u);
}

TEST_F(HttpClientTest, DoesNotRetryClientErrors) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 400}}})).ok());
  HttpClient http(FastRetries(3));
  auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->attempts, 1);
}

TEST_F(HttpClientTest, HonoursRetryAfterSeconds) {
  ASSERT_TRUE(
      fake_.ScriptChat(json::array({{{"status", 429}, {"headers", {{"Retry-After", "1"}}}}})).ok());
  HttpClient http(FastRetries(3));
  const auto start = std::chrono::steady_clock::now();
  auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
  const milliseconds took = Since(start);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_GE(took, milliseconds(1000));  // waited as told, not the 10 ms back-off
  EXPECT_LT(took, milliseconds(3000));
}

TEST_F(HttpClientTest, HonoursRetryAfterHttpDate) {
  // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT: the server asks for one second.
  common::FakeClock clock(std::chrono::system_clock::from_time_t(1'700'000'000));
  ASSERT_TRUE(fake_.ScriptChat(json::array(
                  {{{"status", 503}, {"headers", {{"Retry-After", "Tue, 14 Nov 2023 22:13:21 GMT"}}}}}))
                  .ok());
  HttpClientOptions options = FastRetries(2);
  options.clock = &clock;
  HttpClient http(options);
  const auto start = std::chrono::steady_clock::now();
  auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
  const milliseconds took = Since(start);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_GE(took, milliseconds(1000));
  EXPECT_LT(took, milliseconds(3000));
}

TEST_F(HttpClientTest, RetryAfterBeyondTheDeadlineEndsTheCallAtOnce) {
  ASSERT_TRUE(
      fake_.ScriptChat(json::array({{{"status", 429}, {"headers", {{"Retry-After", "20"}}}}})).ok());
  HttpClient http(FastRetries(3));
  const auto start = std::chrono::steady_clock::now();
  auto r = http.Send(Chat(), Deadline::After(milliseconds(2000)));
  EXPECT_LT(Since(start), milliseconds(1000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(fake_.Requests().size(), 1u);
}

TEST_F(HttpClientTest, SlowResponseIsCutAtTheDeadline) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"delay_ms", 3000}, {"times", 3}}})).ok());
  HttpClient http(FastRetries(3));
  const auto start = std::chrono::steady_clock::now();
  auto r = http.Send(Chat(), Deadline::After(milliseconds(300)));
  const milliseconds took = Since(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(800));
}

TEST_F(HttpClientTest, PerAttemptTimeoutLeavesRoomForARetry) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"delay_ms", 2000}}})).ok());
  HttpClientOptions options = FastRetries(2);
  options.attempt_timeout = milliseconds(200);
  HttpClient http(options);
  auto r = http.Send(Chat(), Deadline::After(milliseconds(3000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 2);
}

TEST_F(HttpClientTest, RetriesAConnectionReset) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"reset", true}}})).ok());
  HttpClient http(FastRetries(3));
  auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(http.stats().transport_errors, 1u);
}

TEST_F(HttpClientTest, ReusesTheConnectionAcrossCalls) {
  HttpClient http(FastRetries(1));
  ASSERT_TRUE(http.Send(Chat(), Deadline::After(milliseconds(5000))).ok());
  ASSERT_TRUE(http.Send(Chat(), Deadline::After(milliseconds(5000))).ok());
  json requests = fake_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["client_port"], requests[1]["client_port"]);
}

TEST_F(HttpClientTest, BreakerOpensAfterConsecutiveFailuresAndStopsCalling) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 500}, {"times", 10}}})).ok());
  CircuitBreaker breaker({.failure_threshold = 3, .cool_down = std::chrono::hours(1)});
  HttpClientOptions options = FastRetries(1);
  options.breaker = &breaker;
  HttpClient http(options);
  for (int i = 0; i < 3; ++i) {
    auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 500);
  }
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  const auto start = std::chrono::steady_clock::now();
  auto r = http.Send(Chat(), Deadline::After(milliseconds(5000)));
  EXPECT_LT(Since(start), milliseconds(50));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("circuit breaker open"), std::string::npos);
  EXPECT_EQ(fake_.Requests().size(), 3u);
  EXPECT_EQ(http.stats().breaker_rejections, 1u);
}

TEST(HttpClient, ConnectionRefusedIsUnavailable) {
  // A port that was free a moment ago and has no listener now.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  HttpClient http({.retry = {.max_attempts = 2, .initial_backoff = milliseconds(5)}});
  auto r = http.Send({.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x"},
                     Deadline::After(milliseconds(2000)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kUnavailable);
  EXPECT_EQ(http.stats().attempts, 2u);
}

TEST(HttpClient, ExpiredDeadlineMakesNoAttempt) {
  HttpClient http;
  auto r = http.Send({.url = "http://127.0.0.1:1/"}, Deadline{std::chrono::steady_clock::now()});
  EXPECT_EQ(r.status().code(), common::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(http.stats().attempts, 0u);
}

TEST(ParseRetryAfter, DeltaSeconds) {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  EXPECT_EQ(ParseRetryAfter("3", now), milliseconds(3000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
}

TEST(ParseRetryAfter, HttpDate) {
  // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:25 GMT", now), milliseconds(5000));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:00 GMT", now), milliseconds(0));
}

TEST(ParseRetryAfter, RejectsGarbage) {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
}

TEST(ScrubSecrets, ReplacesEveryOccurrence) {
  EXPECT_EQ(ScrubSecrets("a sk-1 b sk-1", {"sk-1", ""}), "a [REDACTED] b [REDACTED]");
}

}  // namespace
}  // namespace aura::clients
