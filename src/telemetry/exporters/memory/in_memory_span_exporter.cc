#include "telemetry/exporters/memory/in_memory_span_exporter.h"

namespace aura::telemetry::exporters {

std::vector<sdk::SpanData> InMemorySpanData::GetSpans() const {
  std::lock_guard lock(mu_);
  return spans_;
}

size_t InMemorySpanData::size() const {
  std::lock_guard lock(mu_);
  return spans_.size();
}

void InMemorySpanData::Reset() {
  std::lock_guard lock(mu_);
  spans_.clear();
}

void InMemorySpanData::Add(const sdk::SpanData& span) {
  std::lock_guard lock(mu_);
  spans_.push_back(span);
}

sdk::ExportResult InMemorySpanExporter::Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept {
  if (shutdown_.load()) return sdk::ExportResult::kFailure;
  try {
    for (const auto& s : spans) data_->Add(*s);
  } catch (...) {
    return sdk::ExportResult::kFailure;
  }
  return sdk::ExportResult::kSuccess;
}

}  // namespace aura::telemetry::exporters
