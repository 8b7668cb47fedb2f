// File: telemetry/sdk/pipeline_health.h
//
// PipelineHealth: the counters and exporter state of the tracing pipeline, fed
// by the provider, the processors and the exporters, and read as a plain
// snapshot for /metrics and /health.
//
//   TracingHealth h = provider->Health();       // or health->Snapshot()
//   metrics.Set("aura_telemetry_spans_dropped_total", h.spans_dropped);
//   json["telemetry"] = {{"exporter_state", ExporterStateName(h.exporter_state)}, ...};
//
// Failure reporting is rate-limited by design: RecordExportFailure logs one
// warning when the exporter goes from ok to failing (an outage), and
// RecordExportSuccess logs one line when it recovers — never one per batch.
//
// Thread-safe. Counters are sharded per thread so that span start/end from many
// threads do not contend on one cache line.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace aura::telemetry::sdk {

enum class ExporterState {
  kOk,               // exporting (or nothing exported yet)
  kFailing,          // the last export failed; spans are being dropped
  kFallbackConsole,  // the endpoint was unusable: spans go to the console
  kNone,             // no exporter (OTEL_TRACES_EXPORTER=none or SDK disabled)
};
std::string_view ExporterStateName(ExporterState state) noexcept;  // "ok", "failing", ...

// A snapshot of the pipeline. Plain value.
struct TracingHealth {
  bool enabled = false;          // false when OTEL_SDK_DISABLED or no provider
  uint64_t spans_started = 0;    // recording spans started
  uint64_t spans_ended = 0;      // recording spans ended
  uint64_t spans_exported = 0;   // accepted by the backend
  uint64_t spans_dropped = 0;    // dropped before export (queue full, shutdown)
  uint64_t spans_failed = 0;     // in batches whose export failed
  uint64_t spans_rejected = 0;   // reported rejected by the backend (partial success)
  uint64_t exports_failed = 0;   // failed export calls (batches)
  ExporterState exporter_state = ExporterState::kOk;
  std::string exporter;          // "otlp_grpc", "otlp_http", "console", "none"
  std::string endpoint;
  std::string last_error;        // empty when none
};

class PipelineHealth {
 public:
  PipelineHealth() = default;
  PipelineHealth(const PipelineHealth&) = delete;
  PipelineHealth& operator=(const PipelineHealth&) = delete;

  void SetExporter(std::string name, std::string endpoint, ExporterState state);
  void SetEnabled(bool enabled) noexcept { enabled_.store(enabled, std::memory_order_relaxed); }

  void RecordStarted() noexcept { Shard().started.fetch_add(1, std::memory_order_relaxed); }
  void RecordEnded() noexcept { Shard().ended.fetch_add(1, std::memory_order_relaxed); }
  void RecordDropped(uint64_t n) noexcept { dropped_.fetch_add(n, std::memory_order_relaxed); }
  void RecordRejected(uint64_t n) noexcept { rejected_.fetch_add(n, std::memory_order_relaxed); }
  // A batch of `n` spans was accepted; logs recovery after an outage.
  void RecordExportSuccess(uint64_t n) noexcept;
  // A batch of `n` spans was lost; logs a warning only at the start of an
  // outage. An empty `error` keeps the detail an exporter set with SetLastError.
  void RecordExportFailure(uint64_t n, std::string_view error) noexcept;
  // The detail of the latest failure (exporters call it before failing).
  void SetLastError(std::string_view error) noexcept;

  TracingHealth Snapshot() const;
  std::string exporter_name() const;

 private:
  static constexpr size_t kShards = 16;
  struct alignas(64) CounterShard {
    std::atomic<uint64_t> started{0};
    std::atomic<uint64_t> ended{0};
  };
  CounterShard& Shard() noexcept;

  std::array<CounterShard, kShards> shards_;
  std::atomic<bool> enabled_{true};
  std::atomic<uint64_t> exported_{0}, dropped_{0}, failed_{0}, rejected_{0}, exports_failed_{0};
  std::atomic<ExporterState> state_{ExporterState::kOk};
  mutable std::mutex mu_;
  std::string exporter_;    // guarded by mu_
  std::string endpoint_;    // guarded by mu_
  std::string last_error_;  // guarded by mu_
};

}  // namespace aura::telemetry::sdk
