#include "telemetry/sdk/fallback_until_reachable_exporter.h"

#include <algorithm>

#include "common/log/log.h"

namespace aura::telemetry::sdk {

using SteadyClock = std::chrono::steady_clock;

FallbackUntilReachableExporter::FallbackUntilReachableExporter(std::unique_ptr<SpanExporter> primary,
                                                               std::unique_ptr<SpanExporter> fallback,
                                                               FallbackUntilReachableOptions options)
    : primary_(std::move(primary)),
      fallback_(std::move(fallback)),
      options_(std::move(options)),
      health_(options_.health) {
  if (health_ == nullptr) health_ = std::make_shared<PipelineHealth>();
  if (!options_.probe) reached_.store(true, std::memory_order_release);
}

void FallbackUntilReachableExporter::MaybeProbe() noexcept {
  const auto now = SteadyClock::now();
  if (probed_ && now - last_probe_ < options_.probe_interval) return;
  probed_ = true;
  last_probe_ = now;
  probes_.fetch_add(1, std::memory_order_relaxed);
  common::Status status;
  try {
    status = options_.probe(options_.probe_timeout);
  } catch (const std::exception& e) {
    status = common::UnavailableError(std::string("reachability probe failed: ") + e.what());
  } catch (...) {
    status = common::UnavailableError("reachability probe failed");
  }
  try {
    if (status.ok()) {
      reached_.store(true, std::memory_order_release);
      if (falling_back_.exchange(false, std::memory_order_acq_rel)) {
        health_->SetExporter(options_.primary_name, options_.endpoint, ExporterState::kOk);
        AURA_LOG_INFO("telemetry.export_resumed")
            .With("after", "fallback_console")
            .With("exporter", options_.primary_name)
            .With("endpoint", options_.endpoint);
      }
      return;
    }
    if (!falling_back_.exchange(true, std::memory_order_acq_rel)) {
      // The one warning for "never reached since start"; later failed probes are silent.
      health_->SetLastError(status.message());
      health_->SetExporter(options_.fallback_name, options_.endpoint, ExporterState::kFallbackConsole);
      AURA_LOG_WARNING("telemetry.fallback_console")
          .With("endpoint", options_.endpoint)
          .With("reason", status.message())
          .With("exporter", options_.fallback_name);
    }
  } catch (...) {
    // Logging or health bookkeeping ran out of memory: routing is already decided.
  }
}

ExportResult FallbackUntilReachableExporter::Export(std::span<const std::unique_ptr<SpanData>> spans) noexcept {
  if (shutdown_.load(std::memory_order_acquire)) return ExportResult::kFailure;
  if (!reached_.load(std::memory_order_acquire)) {
    MaybeProbe();
    if (!reached_.load(std::memory_order_acquire)) return fallback_->Export(spans);
  }
  return primary_->Export(spans);
}

bool FallbackUntilReachableExporter::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  const auto deadline = SteadyClock::now() + std::max(timeout, std::chrono::milliseconds(0));
  auto left = [&] {
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()),
                    std::chrono::milliseconds(0));
  };
  bool ok = fallback_->ForceFlush(left());
  ok = primary_->ForceFlush(left()) && ok;
  return ok;
}

bool FallbackUntilReachableExporter::Shutdown(std::chrono::milliseconds timeout) noexcept {
  shutdown_.store(true, std::memory_order_release);
  const auto deadline = SteadyClock::now() + std::max(timeout, std::chrono::milliseconds(0));
  bool ok = primary_->Shutdown(timeout);
  auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()),
                       std::chrono::milliseconds(0));
  ok = fallback_->Shutdown(left) && ok;
  return ok;
}

}  // namespace aura::telemetry::sdk
