// File: telemetry/api/log_context.h
//
// Log correlation: AppendLogContext is the common::LogContextHook that adds
// `"trace_id"`, `"span_id"` and `"trace_flags"` of this thread's current span
// to every JSON log line (nothing when no valid span is current, never zeros).
// InstallTracing() installs it; tests and tools may install it directly:
//
//   common::SetLogContextHook(&telemetry::AppendLogContext);
//
// Thread-safe, allocation-free beyond appending to `out`.
#pragma once

#include <string>

namespace aura::telemetry {

void AppendLogContext(std::string& out);

}  // namespace aura::telemetry
