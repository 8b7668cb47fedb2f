// File: common/log/log.h
//
// Structured JSON logging: one object per line with `timestamp` (ISO 8601 UTC,
// `Z`), `level`, `event`, `logger`, the bound `request_id`, the trace context
// supplied by the telemetry layer (`trace_id`, `span_id`), and the event's own
// typed fields. Lines are formatted on the calling thread and written by one
// background thread, so a slow terminal never stalls a request; when the
// bounded queue is full a line is dropped and counted.
//
//   AURA_LOG_INFO("negotiation.decided").With("outcome", "accepted").With("bid", 850.0);
//   ScopedRequestId rid("req-123");   // binds request_id for this thread
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace aura::common {

// Appends `,"key":value` pairs for the current trace context to `out`; set by
// the telemetry layer, which common must not depend on.
using LogContextHook = void (*)(std::string& out);

struct LoggerOptions {
  LogLevel level = LogLevel::kInfo;
  std::string logger = "aura";  // the `logger` field: the process name
  size_t max_queue_lines = 16384;
  // Where lines go; default stderr. Tests capture lines here.
  std::function<void(std::string_view line)> sink;
  // Write synchronously (tests, short-lived commands).
  bool synchronous = false;
};

// Installs the process logger (replacing any earlier one, flushing it first).
void InitLogging(LoggerOptions options);
// Flushes queued lines and stops the writer thread.
void ShutdownLogging() noexcept;
void SetLogContextHook(LogContextHook hook) noexcept;
bool LogEnabled(LogLevel level) noexcept;
// Lines dropped because the queue was full.
uint64_t LogLinesDropped() noexcept;
// Writes a finished JSON line (without newline). Used by LogLine.
void EmitLogLine(std::string&& line) noexcept;

// Appends `s` as a JSON string literal (with quotes) to `out`.
void AppendJsonString(std::string& out, std::string_view s);

// Binds request_id to log lines written by this thread until destroyed.
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string request_id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;
  static const std::string& Current() noexcept;

 private:
  std::string previous_;
};

// One log line under construction; written when destroyed. Cheap when the
// level is disabled (no formatting happens).
class LogLine {
 public:
  LogLine(LogLevel level, std::string_view event) noexcept;
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& With(std::string_view key, std::string_view value);
  LogLine& With(std::string_view key, const std::string& value) { return With(key, std::string_view(value)); }
  LogLine& With(std::string_view key, const char* value) { return With(key, std::string_view(value)); }
  LogLine& With(std::string_view key, bool value);
  LogLine& With(std::string_view key, double value);
  LogLine& With(std::string_view key, int64_t value);
  LogLine& With(std::string_view key, int value) { return With(key, static_cast<int64_t>(value)); }
  LogLine& With(std::string_view key, uint64_t value) { return With(key, static_cast<int64_t>(value)); }
  LogLine& With(std::string_view key, long long value) { return With(key, static_cast<int64_t>(value)); }

 private:
  bool enabled_;
  std::string buf_;
};

}  // namespace aura::common

#define AURA_LOG_DEBUG(event) ::aura::common::LogLine(::aura::common::LogLevel::kDebug, event)
#define AURA_LOG_INFO(event) ::aura::common::LogLine(::aura::common::LogLevel::kInfo, event)
#define AURA_LOG_WARNING(event) ::aura::common::LogLine(::aura::common::LogLevel::kWarning, event)
#define AURA_LOG_ERROR(event) ::aura::common::LogLine(::aura::common::LogLevel::kError, event)
