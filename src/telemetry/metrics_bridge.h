// File: telemetry/metrics_bridge.h
//
// PublishTracingHealth: exposes the tracing pipeline's own counters as
// Prometheus metrics in a common::MetricsRegistry, so both services publish
// the same names:
//   aura_telemetry_spans_started_total, aura_telemetry_spans_exported_total,
//   aura_telemetry_spans_dropped_total, aura_telemetry_export_failures_total
//   (counters, advanced by the delta since the last scrape) and
//   aura_telemetry_exporter_up (gauge: 1 while the exporter is ok or there is
//   none to fail, 0 while failing or fallen back to the console).
//
//   common::MetricsRegistry registry;
//   telemetry::TracingPipeline tracing = telemetry::InstallTracing(config, "aura-core");
//   telemetry::PublishTracingHealth(registry, tracing.health);
//
// Call once per registry. The values are read at scrape time (OnCollect), so
// the registry keeps `health` alive. Thread-safe like the registry.
#pragma once

#include <memory>

#include "common/metrics/metrics.h"
#include "telemetry/sdk/pipeline_health.h"

namespace aura::telemetry {

void PublishTracingHealth(common::MetricsRegistry& registry,
                          std::shared_ptr<sdk::PipelineHealth> health);

}  // namespace aura::telemetry
