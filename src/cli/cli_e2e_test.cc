// End to end: the real `aura`, `aura-core` and `aura-gateway` binaries, each
// test with its own data dir and free ports.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/child_process.h"
#include "tests/support/process.h"

namespace aura::cli {
namespace {

// A port the kernel just handed out (bound to port 0, then released).
class AuraCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "aura-cli-e2e-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    env_ = {{"AURA_DATA_DIR", dir_ + "/data"},
            {"AURA_GATEWAY__RATE_LIMIT_PER_MINUTE", "1000000"},
            {"AURA_CORE_BIN", AURA_CORE_BIN_PATH},
            {"AURA_GATEWAY_BIN", AURA_GATEWAY_BIN_PATH},
            {"NO_COLOR", "1"}};
    PickPorts();
  }
  // Free ports for the three listeners. Tests running in parallel can take a
  // port between this choice and `aura up` binding it; callers then pick again.
  void PickPorts() {
    http_port_ = aura::testing::FreePort();
    env_["HTTP_PORT"] = std::to_string(http_port_);
    env_["GRPC_PORT"] = std::to_string(aura::testing::FreePort());
    env_["AURA_SERVER__METRICS_PORT"] = std::to_string(aura::testing::FreePort());
  }
  static bool PortTaken(const std::string& output) {
    return output.find("already in use") != std::string::npos;
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<ChildProcess> StartAura(const std::string& name, std::vector<std::string> args) {
    auto child = ChildProcess::Start({.name = name,
                                      .binary = AURA_CLI_BIN,
                                      .args = std::move(args),
                                      .log_path = dir_ + "/" + name + ".out",
                                      .env = env_});
    EXPECT_TRUE(child.ok()) << child.status().ToString();
    return child.ok() ? std::move(child).value() : nullptr;
  }
  std::string Output(const std::string& name) { return TailFile(dir_ + "/" + name + ".out", 10000); }

  std::string dir_;
  int http_port_ = 0;
  std::map<std::string, std::string> env_;
};

TEST_F(AuraCli, UpCheckPlaysTheScenariosAndStops) {
  std::unique_ptr<ChildProcess> up;
  std::string how;
  std::string out;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string name = "up" + std::to_string(attempt);
    up = StartAura(name, {"up", "--check"});
    ASSERT_NE(up, nullptr);
    how = up->Wait();
    out = Output(name);
    if (up->exit_code() == 0 || !PortTaken(out)) break;
    PickPorts();
  }
  EXPECT_EQ(up->exit_code(), 0) << how << "\n" << out << "\n--- core ---\n"
                                << TailFile(dir_ + "/data/logs/aura-core.log", 30) << "\n--- gateway ---\n"
                                << TailFile(dir_ + "/data/logs/aura-gateway.log", 30);
  EXPECT_NE(out.find("seeded"), std::string::npos) << out;
  EXPECT_NE(out.find("4/4 classic scenarios as expected"), std::string::npos) << out;
  EXPECT_EQ(out.find("buyer failed"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped aura-gateway"), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/data/logs/aura-core.log"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/data/agent.key"));
}

TEST_F(AuraCli, BenchAgainstARunningHiveReportsJson) {
  std::unique_ptr<ChildProcess> up;
  std::string up_name;
  // `aura up` prints "ready at" once /readyz answers 200 (or exits on failure).
  bool ready = false;
  for (int attempt = 0; attempt < 3 && !ready; ++attempt) {
    up_name = "up" + std::to_string(attempt);
    up = StartAura(up_name, {"up", "--no-scenarios"});
    ASSERT_NE(up, nullptr);
    for (int i = 0; i < 1200 && !ready; ++i) {
      if (up->Poll()) break;
      ready = Output(up_name).find("ready at") != std::string::npos;
      if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!ready && PortTaken(Output(up_name))) PickPorts();
    else break;
  }
  ASSERT_TRUE(ready) << Output(up_name);

  auto bench = StartAura("bench", {"bench", "--requests", "200", "--json", "--connections", "4"});
  ASSERT_NE(bench, nullptr);
  bench->Wait();
  std::string out = Output("bench");
  EXPECT_EQ(bench->exit_code(), 0) << out;
  nlohmann::json j;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.front() == '{') j = nlohmann::json::parse(line, nullptr, false);
  }
  ASSERT_TRUE(j.is_object()) << out;
  EXPECT_EQ(j["requests"], 200);
  EXPECT_EQ(j["answered"], 200);
  EXPECT_EQ(j["ok"], 200);
  EXPECT_EQ(j["status_counts"]["200"], 200);
  EXPECT_EQ(j["unexpected_outcomes"], 0) << j.dump(2);
  EXPECT_GT(j["throughput_rps"].get<double>(), 0);
  EXPECT_GT(j["latency_ms"]["p50"].get<double>(), 0);
  EXPECT_LE(j["latency_ms"]["p50"].get<double>(), j["latency_ms"]["p99"].get<double>());
  uint64_t outcomes = 0;
  for (const auto& [name, n] : j["outcomes"].items()) outcomes += n.get<uint64_t>();
  EXPECT_EQ(outcomes, 200u);

  std::string how = up->Stop(std::chrono::seconds(20));
  EXPECT_EQ(how, "exited with status 0") << Output(up_name);
  EXPECT_NE(Output(up_name).find("SIGTERM: stopping the hive"), std::string::npos) << Output(up_name);
}

}  // namespace
}  // namespace aura::cli
