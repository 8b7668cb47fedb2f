// File: gateway/telemetry_routes.h
//
// The gateway's view of its tracing pipeline (telemetry/tracing.h): the
// GET /debug/traces route and the "telemetry" member of /health. The
// pipeline's counters reach /metrics through telemetry/metrics_bridge.h, the
// one implementation aura-core uses too. main() wires these to the pipeline
// that InstallTracing returned:
//
//   GatewayDependencies deps;
//   deps.telemetry_health_json = [h = tracing.health] { return TelemetryHealthJson(h->Snapshot()); };
//   GatewayServer server(options, std::move(deps));
//   telemetry::PublishTracingHealth(server.metrics(), tracing.health);
//   server.AddRoute("GET", "/debug/traces", DebugTracesHandler(tracing.recent_spans));
//
// /debug/traces query parameters (all optional, combined with AND):
//   trace_id=<32 hex>  service=<service.name>  min_duration_ms=<number>
//   error=true|1       limit=<1..1000, default 20>
// A malformed value answers 400 {"detail": ...}. The body is
// RecentSpanStore::QueryJson's {"traces":[{..., "spans":[...]}]} as is.
//
// Metrics (telemetry::PublishTracingHealth, shared with aura-core; counters
// are advanced at scrape time by their growth):
//   aura_telemetry_spans_started_total, aura_telemetry_spans_exported_total,
//   aura_telemetry_spans_dropped_total, aura_telemetry_export_failures_total,
//   aura_telemetry_exporter_up.
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/metrics/metrics.h"
#include "common/status.h"
#include "http/http_server.h"
#include "telemetry/exporters/memory/recent_span_store.h"
#include "telemetry/sdk/pipeline_health.h"

namespace aura::gateway {

http::HttpHandler DebugTracesHandler(std::shared_ptr<telemetry::exporters::RecentSpanStore> store);

// {"status":"ok"|"failing"|...,"enabled":..,"exporter":..,"endpoint":..,"last_error":..,
//  "spans_started":..,"spans_exported":..,"spans_dropped":..,"spans_failed":..,"exports_failed":..}
std::string TelemetryHealthJson(const telemetry::sdk::TracingHealth& health);

}  // namespace aura::gateway
