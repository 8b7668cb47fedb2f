// File: telemetry/tracing.h
//
// InstallTracing: builds the whole tracing pipeline from configuration and
// installs it globally — the one call a main.cc makes (DESIGN §6).
//
//   common::Config config = common::LoadConfig(common::Environment::FromProcess(), "aura-core");
//   telemetry::TracingPipeline tracing = telemetry::InstallTracing(config, "aura-core");
//   ...
//   http.Get("/debug/traces", [&](auto& req) { return tracing.recent_spans->QueryJson(q); });
//   health["telemetry"] = tracing.Health();   // plain struct: counters, exporter state, last error
//   ...
//   tracing.Shutdown();   // at exit: flushes what is queued (bounded wait)
//
// What it does:
//  - validates and reads the settings (sdk/tracing_options.h); an empty service
//    name throws common::ConfigError("... service_name must be provided");
//  - installs the log hook so every log line inside a span carries trace_id,
//    span_id and trace_flags, and the global propagator (OTEL_PROPAGATORS);
//  - picks the exporter: OTLP/gRPC or OTLP/HTTP when an endpoint is configured
//    (protocol from OTEL_EXPORTER_OTLP_PROTOCOL or the port), console for
//    OTEL_TRACES_EXPORTER=console, nothing for `none`; with no endpoint at all
//    spans stay in-process (the recent-span store). An endpoint that is not a
//    URL falls back to console export with one warning. An OTLP collector
//    that has not been reached since start gets the same treatment
//    (sdk/fallback_until_reachable_exporter.h): batches go to the console,
//    one `telemetry.fallback_console` warning, state fallback_console; the
//    export thread re-probes it (a TCP connect, at most every 5 s) and once
//    it answers switches to OTLP for good (`telemetry.export_resumed`, state
//    ok). Later outages only count failures and drops, as usual;
//  - always feeds the recent-span store behind /debug/traces;
//  - batches with the BatchSpanProcessor (queue 2048, delay 5 s, batch 512 by
//    default), so requests never wait on the collector. With spans kept only
//    in-process the delay is kInProcessScheduleDelay instead, unless a valid
//    OTEL_BSP_SCHEDULE_DELAY is set: a request shows in /debug/traces within
//    a quarter of a second rather than five;
//  - OTEL_SDK_DISABLED=true: no provider (no-op spans, propagation still works).
//
// Call once, from the main thread, before serving. Thread-safe afterwards.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "common/config/config.h"
#include "telemetry/exporters/memory/recent_span_store.h"
#include "telemetry/sdk/pipeline_health.h"
#include "telemetry/sdk/tracer_provider.h"

namespace aura::telemetry {

// The batch delay when no exporter sends spans out of the process.
inline constexpr std::chrono::milliseconds kInProcessScheduleDelay{250};

struct TracingPipeline {
  // The installed provider (shut down and not installed when the SDK is disabled).
  std::shared_ptr<sdk::TracerProvider> provider;
  // The spans behind /debug/traces; never null.
  std::shared_ptr<exporters::RecentSpanStore> recent_spans;
  // Counters and exporter state; never null.
  std::shared_ptr<sdk::PipelineHealth> health;

  sdk::TracingHealth Health() const { return health->Snapshot(); }
  // Flushes and stops the pipeline and uninstalls the global provider.
  bool Shutdown(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) noexcept;
};

struct InstallTracingOptions {
  std::string service_version = "0.1.0";
  size_t recent_span_capacity = 4096;
  // false = build the pipeline without touching the globals (tests).
  bool install_globally = true;
  // Where console export writes (explicit console exporter and the fallback),
  // one span JSON per call without the newline; empty = stderr (tests).
  std::function<void(std::string_view line)> console_sink;
  // Until the OTLP collector is first reached: how often it is re-probed.
  std::chrono::milliseconds collector_probe_interval{5000};
  // Bound of one probe (also at most a quarter of OTEL_BSP_EXPORT_TIMEOUT).
  std::chrono::milliseconds collector_probe_timeout{250};
};

TracingPipeline InstallTracing(const common::Config& config, std::string_view default_service,
                               const InstallTracingOptions& options = {});

}  // namespace aura::telemetry
