// The real `aura-core` binary: it starts on SQLite under a data dir, answers
// on its gRPC port, and exits 0 after SIGTERM with in-flight work finished; an
// invalid variable stops it with exit code 2 and a port in use with 1.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aura/negotiation/v1/negotiation.grpc.pb.h"
#include "core/testing/health_probe.h"
#include "private_postgres.h"
#include "storage/inventory_import.h"
#include "storage/store.h"

extern char** environ;

namespace aura::core {
namespace {

namespace v1 = aura::negotiation::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

// aura-core as a child process with its own environment; stderr (the JSON
// log) is collected line by line.
class CoreProcess {
 public:
  explicit CoreProcess(const std::map<std::string, std::string>& env) {
    std::vector<std::string> vars;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string v(*e);
      if (v.rfind("AURA_", 0) == 0 || v.rfind("DATABASE_URL=", 0) == 0 ||
          v.rfind("GRPC_PORT=", 0) == 0 || v.rfind("LLM_MODEL=", 0) == 0) {
        continue;  // only what the test sets
      }
      vars.push_back(v);
    }
    for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);

    int pipe_fds[2];
    EXPECT_EQ(pipe(pipe_fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    // Run in the data dir so no stray .env of the working tree is read.
    posix_spawn_file_actions_addchdir_np(&actions, env.at("AURA_DATA_DIR").c_str());
    char* argv[] = {const_cast<char*>(AURA_CORE_BINARY), nullptr};
    int rc = posix_spawn(&pid_, AURA_CORE_BINARY, &actions, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    EXPECT_EQ(rc, 0) << "cannot start " << AURA_CORE_BINARY;
    reader_ = std::thread([this, fd = pipe_fds[0]] { ReadLines(fd); });
  }

  ~CoreProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
  }

  // Waits for a log line containing `needle`; "" after `limit`.
  std::string WaitForLine(const std::string& needle, milliseconds limit) {
    std::unique_lock lock(mu_);
    std::string found;
    cv_.wait_for(lock, limit, [&] {
      for (const auto& l : lines_) {
        if (l.find(needle) != std::string::npos) {
          found = l;
          return true;
        }
      }
      return eof_;
    });
    return found;
  }

  // Waits for the process to exit; its exit code, or -1 on timeout / signal.
  int WaitForExit(milliseconds limit) {
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        if (reader_.joinable()) reader_.join();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    return -1;
  }

  void Signal(int sig) { kill(pid_, sig); }

  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  void ReadLines(int fd) {
    std::string pending;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::lock_guard lock(mu_);
        lines_.push_back(pending.substr(0, nl));
        pending.erase(0, nl + 1);
        cv_.notify_all();
      }
    }
    close(fd);
    std::lock_guard lock(mu_);
    if (!pending.empty()) lines_.push_back(pending);
    eof_ = true;
    cv_.notify_all();
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

class CoreBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "aura-core-e2e-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    data_dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }

  // Seeds the SQLite file the core will open by default.
  void SeedDefaultStore() {
    auto store = storage::MakeStore({.url = "sqlite://" + data_dir_ + "/aura.db"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Migrate().ok());
    ASSERT_TRUE((*store)->UpsertItems(storage::LoadDemoInventory()).ok());
  }

  std::string data_dir_;
};

TEST_F(CoreBinaryTest, ServesAndExitsCleanlyOnSigterm) {
  SeedDefaultStore();
  const int port = testing::PickFreePort();
  CoreProcess core({{"AURA_DATA_DIR", data_dir_}, {"AURA_SERVER__PORT", std::to_string(port)}});
  std::string started = core.WaitForLine("\"core.started\"", seconds(20));
  ASSERT_FALSE(started.empty()) << "no core.started line";
  EXPECT_NE(started.find("\"logger\":\"aura-core\""), std::string::npos) << started;

  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::NegotiationService::NewStub(channel);
  v1::NegotiateRequest request;
  request.set_request_id("e2e-1");
  request.set_item_id("hotel_alpha");
  request.set_bid_amount(1.0);
  v1::NegotiateResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + seconds(5));
  grpc::Status status = stub->Negotiate(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(response.has_countered());
  EXPECT_EQ(response.countered().proposed_price(), 800.0);

  // Search is wired in: the demo inventory is indexed at start-up.
  v1::SearchRequest search;
  search.set_query("hotel by the sea");
  search.set_limit(3);
  v1::SearchResponse found;
  grpc::ClientContext search_context;
  search_context.set_deadline(std::chrono::system_clock::now() + seconds(5));
  grpc::Status search_status = stub->Search(&search_context, search, &found);
  ASSERT_TRUE(search_status.ok()) << search_status.error_message();
  EXPECT_GE(found.results_size(), 1);
  EXPECT_LE(found.results_size(), 3);

  bool serving = false;
  for (int i = 0; i < 100 && !serving; ++i) {
    auto health = testing::CheckHealth(channel, "", milliseconds(1000));
    serving = health.ok() && *health == testing::HealthState::kServing;
    if (!serving) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(serving);

  core.Signal(SIGTERM);
  EXPECT_EQ(core.WaitForExit(seconds(10)), 0);
  bool stopped = false;
  for (const auto& l : core.lines()) stopped = stopped || l.find("\"core.stopped\"") != std::string::npos;
  EXPECT_TRUE(stopped);

  // The decision made before the signal is in the file.
  auto store = storage::MakeStore({.url = "sqlite://" + data_dir_ + "/aura.db"});
  ASSERT_TRUE(store.ok());
  auto stored = (*store)->FindNegotiation("e2e-1");
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->has_value());
}

TEST_F(CoreBinaryTest, InvalidConfigExitsTwoNamingTheVariable) {
  CoreProcess core({{"AURA_DATA_DIR", data_dir_}, {"AURA_SERVER__PORT", "not-a-port"}});
  EXPECT_EQ(core.WaitForExit(seconds(10)), 2);
  auto lines = core.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("AURA_SERVER__PORT"), std::string::npos) << lines[0];
}

TEST_F(CoreBinaryTest, PortInUseExitsOneWithAClearLine) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  CoreProcess core({{"AURA_DATA_DIR", data_dir_}, {"AURA_SERVER__PORT", std::to_string(port)}});
  EXPECT_EQ(core.WaitForExit(seconds(20)), 1);
  std::string line = core.WaitForLine("core.listen_failed", milliseconds(100));
  EXPECT_NE(line.find("Address already in use"), std::string::npos) << line;
  EXPECT_NE(line.find(std::to_string(port)), std::string::npos) << line;
  close(fd);
}

}  // namespace
}  // namespace aura::core
