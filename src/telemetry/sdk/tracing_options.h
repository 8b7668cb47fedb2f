// File: telemetry/sdk/tracing_options.h
//
// TracingOptions: the tracing settings parsed from configuration — the
// standard OTEL_* variables (see shared/OTEL_CONFORMANCE.md §2, §3, §4, §6) and
// the AURA_SERVER__OTEL_* ones the config layer already read. Parsing never
// calls getenv: it reads the common::Environment snapshot inside the Config.
//
//   TracingOptions o = ParseTracingOptions(config);   // throws common::ConfigError
//   for (auto& w : o.warnings) AURA_LOG_WARNING("telemetry.config").With("detail", w);
//
// Invalid OTEL_* values are not fatal (the specification asks for a warning
// and the default); an empty service name is (ConfigError "service_name must
// be provided").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "telemetry/sdk/batch_span_processor.h"
#include "telemetry/sdk/sampler.h"
#include "telemetry/sdk/span_limits.h"

namespace aura::telemetry::sdk {

enum class TracesExporterKind { kOtlp, kConsole, kNone };

struct TracingOptions {
  bool sdk_disabled = false;           // OTEL_SDK_DISABLED=true
  std::string service_name;            // resolved (never empty)
  TracesExporterKind exporter = TracesExporterKind::kOtlp;  // OTEL_TRACES_EXPORTER
  std::shared_ptr<const Sampler> sampler;                    // never null
  std::string propagators = "tracecontext,baggage";          // OTEL_PROPAGATORS
  BatchSpanProcessorOptions bsp;                             // OTEL_BSP_*
  bool schedule_delay_set = false;  // a valid OTEL_BSP_SCHEDULE_DELAY was given
  SpanLimits limits;                                         // OTEL_*_LIMIT
  std::vector<std::string> warnings;                         // for the log
};

// `config.telemetry.service_name` empty → throws ConfigError. The service name
// is AURA_SERVER__OTEL_SERVICE_NAME / OTEL_SERVICE_NAME, else service.name in
// OTEL_RESOURCE_ATTRIBUTES, else the config default.
// A non-empty `default_service` replaces the config's default name when no
// service-name variable is set.
TracingOptions ParseTracingOptions(const common::Config& config, std::string_view default_service = {});

// The sampler named by OTEL_TRACES_SAMPLER / _ARG (warnings appended).
std::shared_ptr<const Sampler> ParseSampler(const common::Environment& env,
                                            std::vector<std::string>& warnings);

}  // namespace aura::telemetry::sdk
