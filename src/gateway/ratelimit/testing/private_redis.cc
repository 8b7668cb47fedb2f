#include "gateway/ratelimit/testing/private_redis.h"
#include "tests/support/process.h"

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

extern char** environ;

namespace aura::gateway::testing {

namespace {

bool Pings(int port) {
  timeval tv{0, 200'000};
  redisContext* ctx = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (ctx == nullptr) return false;
  bool ok = false;
  if (ctx->err == 0) {
    redisSetTimeout(ctx, tv);
    auto* reply = static_cast<redisReply*>(redisCommand(ctx, "PING"));
    ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
    if (reply != nullptr) freeReplyObject(reply);
  }
  redisFree(ctx);
  return ok;
}

}  // namespace

PrivateRedis::PrivateRedis() : port_(aura::testing::FreePort()) {}

PrivateRedis::~PrivateRedis() { Kill(); }

bool PrivateRedis::Start() {
  if (pid_ > 0) return true;
  if (port_ == 0) {
    error_ = "no free port";
    return false;
  }
  std::vector<std::string> args = {"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--logfile", "/dev/null"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
    error_ = "cannot start redis-server (is the redis-server package installed?)";
    return false;
  }
  pid_ = pid;
  // Wait for the condition (the server answers), not for a fixed time.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Pings(port_)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "redis-server exited at start-up (port " + std::to_string(port_) + " taken?)";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  error_ = "redis-server did not answer PING within 10 s";
  Kill();
  return false;
}

void PrivateRedis::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string TestRedisUrl() {
  const char* url = std::getenv("AURA_TEST_REDIS_URL");
  return url != nullptr ? url : "";
}

std::string UniqueKeyPrefix(const std::string& what) {
  static std::atomic<int> counter{0};
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return "aura:test:" + what + ":" + std::to_string(getpid()) + ":" + std::to_string(now) + ":" +
         std::to_string(counter.fetch_add(1)) + ":";
}

}  // namespace aura::gateway::testing
