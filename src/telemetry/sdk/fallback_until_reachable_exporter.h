// File: telemetry/sdk/fallback_until_reachable_exporter.h
//
// FallbackUntilReachableExporter: sits in front of the OTLP exporter and,
// while the collector has not been reached since start, hands batches to a
// fallback exporter (the console) instead (DESIGN §6: "an unreachable ...
// endpoint falls back to console export with a warning").
//
//   auto exporter = std::make_unique<FallbackUntilReachableExporter>(
//       std::move(otlp), std::make_unique<ConsoleSpanExporter>(),
//       FallbackUntilReachableOptions{.primary_name = "otlp_grpc", .endpoint = url,
//                                     .probe = otlp::MakeCollectorProbe(otlp_options),
//                                     .health = health});
//
// Behaviour:
//  - Export probes the collector (options.probe, e.g. a non-blocking TCP
//    connect bounded by probe_timeout) at most once per probe_interval, the
//    first time on the first export. Nothing probes at construction, so
//    start-up never waits; Export runs on the batch processor's export thread,
//    so no request ever waits either.
//  - Probe fails and the collector was never reached: the batch goes to the
//    fallback. The first such failure logs one warning
//    `telemetry.fallback_console` (endpoint, reason) and sets the pipeline
//    state to kFallbackConsole with the fallback's name (health/metrics);
//    later failed probes log nothing.
//  - Probe succeeds: from then on every batch goes to the primary, for good.
//    If the fallback had been in use, one `telemetry.export_resumed` line
//    (after=fallback_console) is logged and the state becomes kOk with the
//    primary's name. Later outages are the primary's and the processor's
//    business as usual (failures counted, one warning per outage, resume).
//  - ForceFlush and Shutdown go to both exporters and share one deadline
//    (the primary first: its Shutdown cancels a call in flight).
//
// Thread-safety: as SpanExporter (Export is never concurrent with itself;
// ForceFlush/Shutdown/reached() may run from any thread).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "telemetry/sdk/pipeline_health.h"
#include "telemetry/sdk/span_exporter.h"

namespace aura::telemetry::sdk {

// Checks whether the collector answers, within `timeout`. OK = reachable;
// otherwise the error says why (e.g. "connect 127.0.0.1:4317: Connection
// refused"). Called only from Export, never concurrently with itself.
using ReachabilityProbe = std::function<common::Status(std::chrono::milliseconds timeout)>;

struct FallbackUntilReachableOptions {
  std::string primary_name = "otlp";      // health's exporter name once the collector is reached
  std::string fallback_name = "console";  // health's exporter name while falling back
  std::string endpoint;                   // shown in health and in the warning
  ReachabilityProbe probe;                // required; empty = the collector counts as reached
  std::chrono::milliseconds probe_interval{5000};  // at most one probe per interval
  std::chrono::milliseconds probe_timeout{250};    // passed to the probe
  // Where state changes go; nullptr = a private PipelineHealth.
  std::shared_ptr<PipelineHealth> health;
};

class FallbackUntilReachableExporter final : public SpanExporter {
 public:
  FallbackUntilReachableExporter(std::unique_ptr<SpanExporter> primary, std::unique_ptr<SpanExporter> fallback,
                                 FallbackUntilReachableOptions options);

  ExportResult Export(std::span<const std::unique_ptr<SpanData>> spans) noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

  // True once a probe has succeeded (batches go to the primary for good).
  bool reached() const noexcept { return reached_.load(std::memory_order_acquire); }
  // True while batches go to the fallback (a probe failed, none succeeded yet).
  bool falling_back() const noexcept { return falling_back_.load(std::memory_order_acquire); }
  // Probes run so far.
  uint64_t probes() const noexcept { return probes_.load(std::memory_order_relaxed); }

 private:
  // Probes when one is due; updates reached_/falling_back_, health and logs.
  void MaybeProbe() noexcept;

  const std::unique_ptr<SpanExporter> primary_;
  const std::unique_ptr<SpanExporter> fallback_;
  const FallbackUntilReachableOptions options_;
  std::shared_ptr<PipelineHealth> health_;
  std::atomic<bool> reached_{false};
  std::atomic<bool> falling_back_{false};
  std::atomic<bool> shutdown_{false};
  std::atomic<uint64_t> probes_{0};
  // Only touched by Export (never concurrent with itself).
  bool probed_ = false;
  std::chrono::steady_clock::time_point last_probe_{};
};

}  // namespace aura::telemetry::sdk
