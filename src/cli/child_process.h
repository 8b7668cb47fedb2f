// File: cli/child_process.h
//
// ChildProcess: one service binary started by `aura up`, with its stdout and
// stderr appended to a log file, and stopped politely (SIGTERM, a grace
// period, then SIGKILL).
//
//   ChildProcessOptions o{.name = "aura-core", .binary = "/…/aura-core",
//                         .log_path = "aura-data/logs/aura-core.log",
//                         .env = {{"GRPC_PORT", "50051"}}};
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> core, ChildProcess::Start(o));
//   if (auto code = core->Poll()) { ... it exited with *code ... }
//   core->Stop(std::chrono::seconds(5));
//
// Single-threaded: owned and driven by the thread that started it. The child
// is placed in its own process group so a terminal's Ctrl-C reaches only the
// parent, which then stops the children in order.
//
// Status codes: NOT_FOUND when the binary does not exist or is not executable;
// INTERNAL when fork/exec or the log file fail.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace aura::cli {

struct ChildProcessOptions {
  std::string name;
  std::string binary;
  std::vector<std::string> args;
  std::string log_path;
  // Set (or override) in the child's environment; the rest is inherited.
  std::map<std::string, std::string> env;
};

class ChildProcess {
 public:
  static common::Result<std::unique_ptr<ChildProcess>> Start(const ChildProcessOptions& options);
  ~ChildProcess();  // stops the child if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return options_.name; }
  const std::string& log_path() const { return options_.log_path; }
  pid_t pid() const { return pid_; }

  // nullopt while running; otherwise a description of how it ended ("exited
  // with status 1", "killed by signal 9"). Does not block.
  std::optional<std::string> Poll();
  // Blocks until the child ends; returns how it ended.
  std::string Wait();
  // The exit status, when it exited normally.
  std::optional<int> exit_code() const { return exit_code_; }
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns how it ended.
  std::string Stop(std::chrono::milliseconds grace);

 private:
  explicit ChildProcess(ChildProcessOptions options) : options_(std::move(options)) {}
  ChildProcessOptions options_;
  pid_t pid_ = -1;
  void Ended(int wait_status);

  std::optional<std::string> ended_;
  std::optional<int> exit_code_;
};

// The last `lines` lines of a text file ("" if unreadable).
std::string TailFile(const std::string& path, size_t lines);

}  // namespace aura::cli
