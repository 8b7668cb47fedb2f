#include "telemetry/tracing.h"

#include <algorithm>

#include "common/log/log.h"
#include "telemetry/api/log_context.h"
#include "telemetry/api/propagator.h"
#include "telemetry/exporters/console/console_span_exporter.h"
#include "telemetry/exporters/otlp_common/collector_probe.h"
#include "telemetry/exporters/otlp_common/otlp_options.h"
#include "telemetry/exporters/otlp_grpc/otlp_grpc_exporter.h"
#include "telemetry/exporters/otlp_http/otlp_http_exporter.h"
#include "telemetry/sdk/batch_span_processor.h"
#include "telemetry/sdk/fallback_until_reachable_exporter.h"
#include "telemetry/sdk/fanout_span_exporter.h"
#include "telemetry/sdk/tracing_options.h"

namespace aura::telemetry {

bool TracingPipeline::Shutdown(std::chrono::milliseconds timeout) noexcept {
  if (provider == nullptr) return true;
  if (GetTracerProvider() == provider) SetTracerProvider(nullptr);
  return provider->Shutdown(timeout);
}

TracingPipeline InstallTracing(const common::Config& config, std::string_view default_service,
                               const InstallTracingOptions& options) {
  sdk::TracingOptions opts = sdk::ParseTracingOptions(config, default_service);  // may throw ConfigError
  std::vector<std::string>& warnings = opts.warnings;

  TracingPipeline pipeline;
  pipeline.health = std::make_shared<sdk::PipelineHealth>();
  pipeline.recent_spans = std::make_shared<exporters::RecentSpanStore>(options.recent_span_capacity);

  std::vector<std::string> unknown_propagators;
  auto propagator = MakePropagator(opts.propagators, &unknown_propagators);
  for (const auto& u : unknown_propagators) warnings.push_back("OTEL_PROPAGATORS: unknown propagator '" + u + "'");

  sdk::Resource resource = sdk::MakeResource(
      {.service_name = opts.service_name, .service_version = options.service_version}, config.env, &warnings);

  // The primary exporter.
  std::unique_ptr<sdk::SpanExporter> primary;
  std::string exporter_name = "memory";
  std::string endpoint;
  sdk::ExporterState state = sdk::ExporterState::kOk;
  bool exporter_explicit = config.env.Get("OTEL_TRACES_EXPORTER").has_value();
  if (opts.sdk_disabled) {
    exporter_name = "none";
    state = sdk::ExporterState::kNone;
  } else if (opts.exporter == sdk::TracesExporterKind::kNone) {
    exporter_name = "none";
    state = sdk::ExporterState::kNone;
  } else if (opts.exporter == sdk::TracesExporterKind::kConsole) {
    primary = std::make_unique<exporters::ConsoleSpanExporter>(options.console_sink);
    exporter_name = "console";
  } else {
    otlp::OtlpExporterOptions otlp = otlp::ParseOtlpOptions(config.env, config.telemetry.otlp_endpoint, warnings);
    otlp.health = pipeline.health;
    if (!otlp.endpoint_configured && !exporter_explicit) {
      // Embedded default: spans stay in-process (/debug/traces).
    } else if (!otlp.endpoint_error.empty()) {
      AURA_LOG_WARNING("telemetry.fallback_console").With("reason", otlp.endpoint_error);
      primary = std::make_unique<exporters::ConsoleSpanExporter>(options.console_sink);
      exporter_name = "console";
      state = sdk::ExporterState::kFallbackConsole;
      pipeline.health->SetLastError(otlp.endpoint_error);
    } else {
      endpoint = otlp.endpoint;
      sdk::ReachabilityProbe probe = otlp::MakeCollectorProbe(otlp);
      std::unique_ptr<sdk::SpanExporter> wire;
      if (otlp.protocol == otlp::OtlpProtocol::kGrpc) {
        exporter_name = "otlp_grpc";
        wire = std::make_unique<otlp::OtlpGrpcExporter>(std::move(otlp));
      } else {
        exporter_name = otlp.protocol == otlp::OtlpProtocol::kHttpJson ? "otlp_http_json" : "otlp_http";
        wire = std::make_unique<otlp::OtlpHttpExporter>(std::move(otlp));
      }
      // Until the collector answers once, batches go to the console (DESIGN §6).
      std::chrono::milliseconds probe_timeout = options.collector_probe_timeout;
      if (opts.bsp.export_timeout.count() > 0) {
        probe_timeout = std::min(probe_timeout, std::max(opts.bsp.export_timeout / 4, std::chrono::milliseconds(1)));
      }
      primary = std::make_unique<sdk::FallbackUntilReachableExporter>(
          std::move(wire), std::make_unique<exporters::ConsoleSpanExporter>(options.console_sink),
          sdk::FallbackUntilReachableOptions{.primary_name = exporter_name,
                                             .fallback_name = "console",
                                             .endpoint = endpoint,
                                             .probe = std::move(probe),
                                             .probe_interval = options.collector_probe_interval,
                                             .probe_timeout = probe_timeout,
                                             .health = pipeline.health});
    }
  }
  pipeline.health->SetExporter(exporter_name, endpoint, state);
  pipeline.health->SetEnabled(!opts.sdk_disabled);

  for (const auto& w : warnings) AURA_LOG_WARNING("telemetry.config").With("detail", w);

  std::vector<std::unique_ptr<sdk::SpanExporter>> exporters;
  if (primary != nullptr) exporters.push_back(std::move(primary));
  exporters.push_back(exporters::MakeRecentSpanStoreExporter(pipeline.recent_spans));
  sdk::BatchSpanProcessorOptions bsp = opts.bsp;
  bsp.health = pipeline.health;
  // The batch delay exists to send fewer, larger requests over the network.
  // With spans kept only in-process it would just hold a request's spans out
  // of /debug/traces for five seconds, so there it is short unless set.
  if (primary == nullptr && !opts.schedule_delay_set) {
    bsp.schedule_delay = kInProcessScheduleDelay;
  }
  auto processor = std::make_unique<sdk::BatchSpanProcessor>(
      std::make_unique<sdk::FanoutSpanExporter>(std::move(exporters)), bsp);
  pipeline.provider = std::make_shared<sdk::TracerProvider>(
      sdk::TracerProviderOptions{.resource = std::move(resource),
                                 .sampler = opts.sampler,
                                 .limits = opts.limits,
                                 .health = pipeline.health},
      sdk::MakeProcessors(std::move(processor)));

  if (opts.sdk_disabled) pipeline.provider->Shutdown(std::chrono::milliseconds(0));
  if (options.install_globally) {
    common::SetLogContextHook(&AppendLogContext);
    SetGlobalPropagator(std::move(propagator));
    SetTracerProvider(opts.sdk_disabled ? nullptr : pipeline.provider);
  }
  AURA_LOG_INFO("telemetry.installed")
      .With("service", opts.service_name)
      .With("enabled", !opts.sdk_disabled)
      .With("exporter", exporter_name)
      .With("endpoint", endpoint)
      .With("sampler", opts.sampler->Description());
  return pipeline;
}

}  // namespace aura::telemetry
