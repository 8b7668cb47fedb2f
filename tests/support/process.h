// File: tests/support/process.h
//
// Test helpers for running real programs next to a test: a child process that
// is killed when the handle goes away, free loopback ports, temporary
// directories, and waiting for a condition instead of sleeping.
//
//   TempDir dir;
//   int port = FreePort();
//   ChildProcess web({"/usr/bin/python3", "-m", "http.server", std::to_string(port)}, dir.path());
//   ASSERT_TRUE(WaitFor([&] { return PortOpen(port); }, std::chrono::seconds(10)));
//
// Thread-compatible.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace aura::testing {

// A port on 127.0.0.1 that was free a moment ago.
int FreePort();
// True when something accepts TCP connections on 127.0.0.1:port.
bool PortOpen(int port);
// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);
// Sends `request` (raw HTTP, e.g. with Connection: close) on a fresh
// connection to 127.0.0.1:port and returns everything read until the server
// closes; "" when nothing listens.
std::string HttpExchange(int port, const std::string& request);
// GET http://127.0.0.1:port/path; the body, or "" with status 0 on failure.
std::string HttpGet(int port, const std::string& path, int* status = nullptr);

// What `promtool check metrics` said about a text exposition.
struct PromtoolResult {
  int exit_code = 0;  // 0 clean, 1 parse error, 3 lint findings, 127 promtool missing
  std::string output;
  // The lint findings other than the two compatibility names the design keeps
  // (memory_usage_mb, negotiation_count).
  std::vector<std::string> unexpected_findings;
};
PromtoolResult PromtoolCheckMetrics(const std::string& exposition);

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process with stdout and stderr sent to `log_path` (or /dev/null).
// The destructor sends SIGKILL unless Stop() ran.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::string& workdir = "",
               const std::map<std::string, std::string>& extra_env = {}, const std::string& log_path = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends `signal`, waits up to `timeout`, then SIGKILL. The exit status as
  // from waitpid, or -1 when it had to be killed.
  int Stop(int signal = 15, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for exit without signalling; -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// A real Prometheus server on loopback scraping `targets` (host:port) every
// `scrape_interval`, with its data in a private directory.
class PrometheusProcess {
 public:
  PrometheusProcess(const std::vector<std::string>& targets, const std::string& scrape_interval = "1s",
                    const std::string& extra_config = "");
  ~PrometheusProcess();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool Ready();
  // Stops the server (SIGTERM).
  void Stop();

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace aura::testing
