#include "telemetry/sdk/simple_span_processor.h"

#include "telemetry/sdk/span_data_pool.h"

namespace aura::telemetry::sdk {

SimpleSpanProcessor::SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                         std::shared_ptr<PipelineHealth> health)
    : exporter_(std::move(exporter)), health_(std::move(health)) {
  if (health_ == nullptr) health_ = std::make_shared<PipelineHealth>();
}

SimpleSpanProcessor::~SimpleSpanProcessor() { Shutdown(std::chrono::milliseconds(5000)); }

void SimpleSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  if (span == nullptr || !span->context.IsSampled() || shutdown_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(mu_);
  std::unique_ptr<SpanData> batch[1] = {std::move(span)};
  if (exporter_->Export(batch) == ExportResult::kSuccess) {
    health_->RecordExportSuccess(1);
  } else {
    health_->RecordExportFailure(1, "");
  }
  RecycleSpanData(std::move(batch[0]));
}

bool SimpleSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  if (shutdown_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(mu_);
  return exporter_->ForceFlush(timeout);
}

bool SimpleSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
  if (shutdown_.exchange(true)) return true;
  std::lock_guard lock(mu_);
  return exporter_->Shutdown(timeout);
}

}  // namespace aura::telemetry::sdk
