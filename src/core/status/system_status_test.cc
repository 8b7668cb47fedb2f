// Runs a real Prometheus scraping a static metrics page and checks how
// GetSystemStatus figures are taken, cached, served stale and failed.
#include "core/status/system_status.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/process.h"

namespace aura::core {
namespace {

using aura::testing::ChildProcess;
using aura::testing::FreePort;
using aura::testing::PrometheusProcess;
using aura::testing::TempDir;
using aura::testing::WaitFor;
using namespace std::chrono_literals;

// Two instances' worth of vital signs served as static files.
class PrometheusStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      ports_.push_back(FreePort());
      std::string root = dir_.path() + "/site" + std::to_string(i);
      std::filesystem::create_directories(root);
      std::ofstream(root + "/metrics") << "# TYPE cpu_usage_percent gauge\ncpu_usage_percent " << (i == 0 ? 10 : 30)
                                       << "\n# TYPE memory_usage_mb gauge\nmemory_usage_mb " << (i == 0 ? 100 : 200)
                                       << "\n";
      sites_.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{"/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
                                   std::to_string(ports_.back())},
          root));
    }
    for (int p : ports_) ASSERT_TRUE(WaitFor([&] { return aura::testing::PortOpen(p); }, 10s));
  }

  TempDir dir_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<ChildProcess>> sites_;
};

TEST_F(PrometheusStatusTest, AveragesAcrossInstancesCachesAndServesStale) {
  PrometheusProcess prometheus({"127.0.0.1:" + std::to_string(ports_[0]), "127.0.0.1:" + std::to_string(ports_[1])},
                               "1s");
  ASSERT_TRUE(WaitFor([&] { return prometheus.Ready(); }, 30s));
  PrometheusSystemStatus status({.url = prometheus.url(), .timeout = 5000ms, .cache_ttl = 30s});
  // Wait until both targets have been scraped once.
  SystemStatus first;
  ASSERT_TRUE(WaitFor(
      [&] {
        PrometheusSystemStatus probe({.url = prometheus.url(), .timeout = 2000ms, .cache_ttl = 0s});
        first = probe.Get();
        return first.status == "ok" && first.cpu_usage_percent == 20.0;
      },
      30s))
      << first.status << " " << first.cpu_usage_percent;

  SystemStatus fresh = status.Get();
  EXPECT_EQ(fresh.status, "ok");
  EXPECT_DOUBLE_EQ(fresh.cpu_usage_percent, 20.0);
  EXPECT_DOUBLE_EQ(fresh.memory_usage_mb, 150.0);
  EXPECT_FALSE(fresh.cached);
  EXPECT_EQ(fresh.timestamp.back(), 'Z');

  SystemStatus again = status.Get();
  EXPECT_TRUE(again.cached);
  EXPECT_DOUBLE_EQ(again.cpu_usage_percent, 20.0);

  prometheus.Stop();
  // Past the TTL with Prometheus gone: the stale value, still marked cached.
  PrometheusSystemStatus short_ttl({.url = prometheus.url(), .timeout = 1000ms, .cache_ttl = 0s});
  EXPECT_EQ(short_ttl.Get().status, "error");  // never had a good answer
  SystemStatus stale = status.Get();          // within TTL: cache
  EXPECT_TRUE(stale.cached);
}

TEST(PrometheusSystemStatus, StaleCacheServedWhenPrometheusFails) {
  common::FakeClock clock;
  TempDir dir;
  int port = FreePort();
  std::filesystem::create_directories(dir.path() + "/api/v1");
  // A Prometheus stand-in is not needed for the failure half: first a real
  // answer from a static JSON page, then the page disappears.
  std::string body = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"42.5"]}]}})";
  std::ofstream(dir.path() + "/api/v1/query") << body;
  auto site = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", std::to_string(port)},
      dir.path());
  ASSERT_TRUE(WaitFor([&] { return aura::testing::PortOpen(port); }, 10s));
  PrometheusSystemStatus status(
      {.url = "http://127.0.0.1:" + std::to_string(port), .timeout = 2000ms, .cache_ttl = 30s}, clock);
  SystemStatus s = status.Get();
  ASSERT_EQ(s.status, "ok");
  EXPECT_DOUBLE_EQ(s.cpu_usage_percent, 42.5);
  EXPECT_FALSE(s.cached);
  site->Stop();
  clock.Advance(31s);
  SystemStatus stale = status.Get();
  EXPECT_EQ(stale.status, "ok");
  EXPECT_TRUE(stale.cached);
  EXPECT_DOUBLE_EQ(stale.cpu_usage_percent, 42.5);
}

TEST(PrometheusSystemStatus, UnreachableWithoutCacheIsAnErrorWithinTheTimeout) {
  int port = FreePort();  // nothing listens here
  PrometheusSystemStatus status({.url = "http://127.0.0.1:" + std::to_string(port), .timeout = 5000ms});
  auto start = std::chrono::steady_clock::now();
  SystemStatus s = status.Get();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);
  EXPECT_EQ(s.status, "error");
  EXPECT_FALSE(s.cached);
  EXPECT_EQ(s.cpu_usage_percent, 0.0);
}

TEST(PrometheusSystemStatus, UnroutableAddressAnswersWithinTheTimeout) {
  // A listening socket that never answers: the query must give up at the timeout.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  listen(fd, 1);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  PrometheusSystemStatus status({.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)),
                                 .timeout = 500ms});
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(status.Get().status, "error");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  close(fd);
}

TEST(LocalSystemStatus, ReportsThisProcess) {
  LocalSystemStatus status;
  SystemStatus s = status.Get();
  EXPECT_EQ(s.status, "ok");
  EXPECT_GT(s.memory_usage_mb, 0.0);
  EXPECT_FALSE(s.cached);
}

}  // namespace
}  // namespace aura::core
