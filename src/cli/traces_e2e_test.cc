// `aura traces` (RunTraces) against canned /debug/traces answers served by
// /usr/bin/python3 -m http.server (which ignores query strings, so the file
// <dir>/debug/traces answers every query; the command filters by trace id).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "cli/child_process.h"
#include "cli/commands.h"
#include "tests/support/process.h"

namespace aura::cli {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;
constexpr int64_t kMs = 1'000'000;
const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

nlohmann::json SpanJson(const std::string& id, const std::string& parent, const std::string& name,
                        const std::string& service, int64_t start_ms, int64_t end_ms) {
  return {{"name", name},
          {"trace_id", kTrace},
          {"span_id", id},
          {"parent_span_id", parent},
          {"kind", "server"},
          {"start_time_unix_nano", kT0 + start_ms * kMs},
          {"end_time_unix_nano", kT0 + end_ms * kMs},
          {"status", {{"code", "unset"}}},
          {"attributes", nlohmann::json::object()},
          {"service", service}};
}

// Serves `dir` on an ephemeral port; the port is read from the server's banner.
class StaticServer {
 public:
  StaticServer(const fs::path& dir, const std::string& name) {
    log_ = (dir.parent_path() / (name + ".log")).string();
    auto child = ChildProcess::Start({.name = name,
                                      .binary = "/usr/bin/python3",
                                      .args = {"-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                                               "--directory", dir.string()},
                                      .log_path = log_});
    if (!child.ok()) {
      ADD_FAILURE() << child.status().message();
      return;
    }
    child_ = std::move(*child);
    const std::regex banner(R"(port (\d+))");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && !child_->Poll()) {
      std::ifstream in(log_);
      std::stringstream text;
      text << in.rdbuf();
      std::smatch m;
      std::string s = text.str();
      if (std::regex_search(s, m, banner)) {
        url_ = "http://127.0.0.1:" + m[1].str();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the banner
    }
    ADD_FAILURE() << name << " did not start: " << TailFile(log_, 10);
  }
  ~StaticServer() {
    if (child_) child_->Stop(std::chrono::milliseconds(2000));
  }
  const std::string& url() const { return url_; }

 private:
  std::string log_;
  std::unique_ptr<ChildProcess> child_;
  std::string url_;
};

class TracesCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("aura-traces-e2e-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    Write("gw", {{"traces",
                  {{{"trace_id", kTrace},
                    {"spans", {SpanJson("00000000000000a1", "", "POST /v1/negotiate", "aura-gateway", 0, 20),
                               SpanJson("00000000000000a2", "00000000000000a1", "CoreService/Negotiate",
                                        "aura-gateway", 2, 18)}}}}}});
    Write("core", {{"traces",
                    {{{"trace_id", kTrace},
                      {"spans", {SpanJson("00000000000000b1", "00000000000000a2", "negotiate", "aura-core", 3,
                                          17)}}}}}});
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& name, const nlohmann::json& body) {
    fs::create_directories(root_ / name / "debug");
    std::ofstream(root_ / name / "debug" / "traces") << body.dump();
  }

  int Run(const std::string& gateway_url, const std::string& core_url, TracesOptions options) {
    CommandContext ctx;
    ctx.gateway_url = gateway_url;
    ctx.out = &out_;
    ctx.err = &err_;
    options.core_metrics_url = core_url;
    return RunTraces(ctx, options);
  }

  fs::path root_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(TracesCommandTest, WaterfallJoinsBothServices) {
  StaticServer gw(root_ / "gw", "gw");
  StaticServer core(root_ / "core", "core");
  ASSERT_FALSE(gw.url().empty());
  ASSERT_FALSE(core.url().empty());
  EXPECT_EQ(Run(gw.url(), core.url(), {.trace_id = kTrace}), 0) << err_.str();
  std::string text = out_.str();
  EXPECT_NE(text.find("\nPOST /v1/negotiate"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  CoreService/Negotiate"), std::string::npos) << text;
  EXPECT_NE(text.find("\n    negotiate"), std::string::npos) << text;
  EXPECT_NE(text.find("aura-core"), std::string::npos) << text;
  EXPECT_EQ(err_.str(), "");
}

TEST_F(TracesCommandTest, ListMergesTheServices) {
  StaticServer gw(root_ / "gw", "gw");
  StaticServer core(root_ / "core", "core");
  EXPECT_EQ(Run(gw.url(), core.url(), {}), 0) << err_.str();
  EXPECT_NE(out_.str().find(kTrace + "  POST /v1/negotiate"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("aura-core,aura-gateway"), std::string::npos) << out_.str();
}

TEST_F(TracesCommandTest, SilentServiceIsReportedAndTheOtherStillPrints) {
  StaticServer gw(root_ / "gw", "gw");
  std::string nobody = "http://127.0.0.1:" + std::to_string(aura::testing::FreePort());
  EXPECT_EQ(Run(gw.url(), nobody, {.trace_id = kTrace}), 0) << err_.str();
  EXPECT_NE(out_.str().find("CoreService/Negotiate"), std::string::npos) << out_.str();
  EXPECT_NE(err_.str().find("aura-core at " + nobody), std::string::npos) << err_.str();
  std::string err = err_.str();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST_F(TracesCommandTest, UnknownTraceIdExitsOne) {
  StaticServer gw(root_ / "gw", "gw");
  StaticServer core(root_ / "core", "core");
  EXPECT_EQ(Run(gw.url(), core.url(), {.trace_id = std::string(32, 'f'), .wait_seconds = 0.3}), 1);
  EXPECT_NE(err_.str().find("waiting up to 0.3 s"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("trace " + std::string(32, 'f') + " not found"), std::string::npos) << err_.str();
  EXPECT_EQ(out_.str(), "");
}

// A trace asked for before the services' next batch export shows once it
// arrives.
TEST_F(TracesCommandTest, TraceNotExportedYetIsWaitedFor) {
  const nlohmann::json later = nlohmann::json::parse(std::ifstream(root_ / "core" / "debug" / "traces"));
  Write("gw", {{"traces", nlohmann::json::array()}});
  Write("core", {{"traces", nlohmann::json::array()}});
  StaticServer gw(root_ / "gw", "gw");
  StaticServer core(root_ / "core", "core");
  std::thread exporter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    Write("core", later);
  });
  const int rc = Run(gw.url(), core.url(), {.trace_id = kTrace, .wait_seconds = 20});
  exporter.join();
  EXPECT_EQ(rc, 0) << err_.str();
  EXPECT_NE(err_.str().find("not among the recent spans yet"), std::string::npos) << err_.str();
  EXPECT_NE(out_.str().find("negotiate"), std::string::npos) << out_.str();
}

TEST_F(TracesCommandTest, NeitherServiceAnsweringExitsOne) {
  std::string nobody = "http://127.0.0.1:" + std::to_string(aura::testing::FreePort());
  EXPECT_EQ(Run(nobody, nobody, {}), 1);
  EXPECT_NE(err_.str().find("neither aura-gateway nor aura-core"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace aura::cli
