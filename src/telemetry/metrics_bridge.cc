#include "telemetry/metrics_bridge.h"

#include <cstdint>
#include <mutex>
#include <utility>

namespace aura::telemetry {

void PublishTracingHealth(common::MetricsRegistry& registry,
                          std::shared_ptr<sdk::PipelineHealth> health) {
  if (health == nullptr) return;
  prometheus::Counter& started =
      registry.Counter("aura_telemetry_spans_started_total", "Recording spans started.").Add({});
  prometheus::Counter& exported =
      registry.Counter("aura_telemetry_spans_exported_total", "Spans accepted by the trace backend.")
          .Add({});
  prometheus::Counter& dropped =
      registry.Counter("aura_telemetry_spans_dropped_total",
                       "Spans dropped before export (queue full, shutdown).")
          .Add({});
  prometheus::Counter& failures =
      registry.Counter("aura_telemetry_export_failures_total", "Failed span export calls.").Add({});
  prometheus::Gauge& up =
      registry.Gauge("aura_telemetry_exporter_up",
                     "1 while the span exporter works (or none is configured), else 0.")
          .Add({});

  struct Last {
    std::mutex mu;
    uint64_t started = 0, exported = 0, dropped = 0, failures = 0;
  };
  auto last = std::make_shared<Last>();
  registry.OnCollect([health = std::move(health), last, &started, &exported, &dropped, &failures,
                      &up]() {
    const sdk::TracingHealth h = health->Snapshot();
    std::lock_guard lock(last->mu);
    auto advance = [](prometheus::Counter& c, uint64_t now, uint64_t& before) {
      if (now > before) c.Increment(static_cast<double>(now - before));
      before = now > before ? now : before;
    };
    advance(started, h.spans_started, last->started);
    advance(exported, h.spans_exported, last->exported);
    advance(dropped, h.spans_dropped, last->dropped);
    advance(failures, h.exports_failed, last->failures);
    const bool ok = h.exporter_state == sdk::ExporterState::kOk ||
                    h.exporter_state == sdk::ExporterState::kNone;
    up.Set(ok ? 1.0 : 0.0);
  });
}

}  // namespace aura::telemetry
