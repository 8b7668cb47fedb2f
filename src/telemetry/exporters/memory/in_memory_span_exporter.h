// File: telemetry/exporters/memory/in_memory_span_exporter.h
//
// InMemorySpanExporter: keeps exported spans in order, for tests. The spans
// live in a shared InMemorySpanData so a test can keep reading them after
// handing the exporter to a processor.
//
//   auto exporter = std::make_unique<InMemorySpanExporter>();
//   std::shared_ptr<InMemorySpanData> spans = exporter->data();
//   auto provider = std::make_shared<sdk::TracerProvider>(
//       sdk::TracerProviderOptions{}, sdk::MakeProcessors(
//           std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter))));
//   ... provider->ForceFlush();
//   EXPECT_EQ(spans->GetSpans().size(), 1u);
//
// Tests of code that traces through the global provider use SpanCapture
// (span_capture.h), which installs exactly this. Export returns kFailure after
// Shutdown. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "telemetry/sdk/span_exporter.h"

namespace aura::telemetry::exporters {

class InMemorySpanData {
 public:
  // Copies of every exported span, in export order.
  std::vector<sdk::SpanData> GetSpans() const;
  size_t size() const;
  void Reset();
  void Add(const sdk::SpanData& span);

 private:
  mutable std::mutex mu_;
  std::vector<sdk::SpanData> spans_;  // guarded by mu_
};

class InMemorySpanExporter final : public sdk::SpanExporter {
 public:
  InMemorySpanExporter() : data_(std::make_shared<InMemorySpanData>()) {}
  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept override;
  bool Shutdown(std::chrono::milliseconds) noexcept override {
    shutdown_.store(true);
    return true;
  }
  std::shared_ptr<InMemorySpanData> data() const { return data_; }

 private:
  std::shared_ptr<InMemorySpanData> data_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace aura::telemetry::exporters
