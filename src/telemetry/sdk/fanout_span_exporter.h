// File: telemetry/sdk/fanout_span_exporter.h
//
// FanoutSpanExporter: hands each batch to several exporters in order (the OTLP
// exporter and the in-process recent-span store). The result is the first
// exporter's; the others are best effort.
//
// Same threading contract as SpanExporter.
#pragma once

#include <memory>
#include <vector>

#include "telemetry/sdk/span_exporter.h"

namespace aura::telemetry::sdk {

class FanoutSpanExporter final : public SpanExporter {
 public:
  explicit FanoutSpanExporter(std::vector<std::unique_ptr<SpanExporter>> exporters)
      : exporters_(std::move(exporters)) {}
  ExportResult Export(std::span<const std::unique_ptr<SpanData>> spans) noexcept override {
    ExportResult result = ExportResult::kSuccess;
    for (size_t i = 0; i < exporters_.size(); ++i) {
      ExportResult r = exporters_[i]->Export(spans);
      if (i == 0) result = r;
    }
    return result;
  }
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override {
    bool ok = true;
    for (auto& e : exporters_) ok = e->ForceFlush(timeout) && ok;
    return ok;
  }
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override {
    bool ok = true;
    for (auto& e : exporters_) ok = e->Shutdown(timeout) && ok;
    return ok;
  }

 private:
  std::vector<std::unique_ptr<SpanExporter>> exporters_;
};

}  // namespace aura::telemetry::sdk
