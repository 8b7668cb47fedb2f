#include "telemetry/sdk/pipeline_health.h"

#include <functional>
#include <thread>

#include "common/log/log.h"

namespace aura::telemetry::sdk {

std::string_view ExporterStateName(ExporterState state) noexcept {
  switch (state) {
    case ExporterState::kOk:
      return "ok";
    case ExporterState::kFailing:
      return "failing";
    case ExporterState::kFallbackConsole:
      return "fallback_console";
    case ExporterState::kNone:
      return "none";
  }
  return "unknown";
}

PipelineHealth::CounterShard& PipelineHealth::Shard() noexcept {
  thread_local const size_t index = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kShards;
  return shards_[index];
}

void PipelineHealth::SetExporter(std::string name, std::string endpoint, ExporterState state) {
  std::lock_guard lock(mu_);
  exporter_ = std::move(name);
  endpoint_ = std::move(endpoint);
  state_.store(state, std::memory_order_relaxed);
}

void PipelineHealth::RecordExportSuccess(uint64_t n) noexcept {
  exported_.fetch_add(n, std::memory_order_relaxed);
  ExporterState expected = ExporterState::kFailing;
  if (state_.compare_exchange_strong(expected, ExporterState::kOk)) {
    AURA_LOG_INFO("telemetry.export_resumed");
  }
}

void PipelineHealth::RecordExportFailure(uint64_t n, std::string_view error) noexcept {
  failed_.fetch_add(n, std::memory_order_relaxed);
  exports_failed_.fetch_add(1, std::memory_order_relaxed);
  if (!error.empty()) SetLastError(error);
  ExporterState expected = ExporterState::kOk;
  if (state_.compare_exchange_strong(expected, ExporterState::kFailing)) {
    std::string detail;
    {
      std::lock_guard lock(mu_);
      detail = last_error_;
    }
    AURA_LOG_WARNING("telemetry.export_failing")
        .With("error", detail)
        .With("spans_lost", n)
        .With("exporter", exporter_name());
  }
}

void PipelineHealth::SetLastError(std::string_view error) noexcept {
  try {
    std::lock_guard lock(mu_);
    last_error_ = std::string(error);
  } catch (...) {
  }
}

std::string PipelineHealth::exporter_name() const {
  std::lock_guard lock(mu_);
  return exporter_;
}

TracingHealth PipelineHealth::Snapshot() const {
  TracingHealth h;
  h.enabled = enabled_.load(std::memory_order_relaxed);
  for (const auto& s : shards_) {
    h.spans_started += s.started.load(std::memory_order_relaxed);
    h.spans_ended += s.ended.load(std::memory_order_relaxed);
  }
  h.spans_exported = exported_.load(std::memory_order_relaxed);
  h.spans_dropped = dropped_.load(std::memory_order_relaxed);
  h.spans_failed = failed_.load(std::memory_order_relaxed);
  h.spans_rejected = rejected_.load(std::memory_order_relaxed);
  h.exports_failed = exports_failed_.load(std::memory_order_relaxed);
  h.exporter_state = state_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  h.exporter = exporter_;
  h.endpoint = endpoint_;
  h.last_error = last_error_;
  return h;
}

}  // namespace aura::telemetry::sdk
