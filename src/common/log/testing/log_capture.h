// File: common/log/testing/log_capture.h
//
// LogCapture, for tests: while it lives, log lines go synchronously to memory
// instead of stderr; afterwards logging goes back to stderr.
//
//   common::LogCapture logs;                      // debug level and up
//   ... code that logs ...
//   EXPECT_EQ(logs.Count("telemetry.fallback_console"), 1);
//   std::string line = logs.Find("telemetry.fallback_console");   // first such line
//   for (const std::string& line : logs.Matching("\"request_id\"")) ...
//
// One at a time per process (it replaces the global logger). Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/log/log.h"

namespace aura::common {

class LogCapture {
 public:
  explicit LogCapture(LogLevel level = LogLevel::kDebug, std::string logger = "aura") {
    InitLogging({.level = level,
                 .logger = std::move(logger),
                 .sink = [this](std::string_view line) {
                   std::lock_guard lock(mu_);
                   lines_.emplace_back(line);
                 },
                 .synchronous = true});
  }
  // Back to stderr: the sink must not outlive this object.
  ~LogCapture() { InitLogging({.synchronous = true}); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // The lines whose "event" is `event`.
  int Count(std::string_view event) const {
    const std::string field = "\"event\":\"" + std::string(event) + "\"";
    int n = 0;
    for (const std::string& line : Lines()) n += line.find(field) != std::string::npos;
    return n;
  }
  // The first line whose "event" is `event`, or "".
  std::string Find(std::string_view event) const {
    const std::string field = "\"event\":\"" + std::string(event) + "\"";
    for (std::string& line : Lines()) {
      if (line.find(field) != std::string::npos) return std::move(line);
    }
    return "";
  }
  // The lines containing `needle`.
  std::vector<std::string> Matching(std::string_view needle) const {
    std::vector<std::string> out;
    for (std::string& line : Lines()) {
      if (line.find(needle) != std::string::npos) out.push_back(std::move(line));
    }
    return out;
  }
  std::vector<std::string> Lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace aura::common
