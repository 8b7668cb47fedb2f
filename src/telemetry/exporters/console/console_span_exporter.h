// File: telemetry/exporters/console/console_span_exporter.h
//
// ConsoleSpanExporter: one JSON object per span per line (sdk/span_json.h) on
// stderr, or into a sink for tests. Used for OTEL_TRACES_EXPORTER=console and
// as the fallback when the OTLP endpoint is unusable.
//
//   auto exporter = std::make_unique<ConsoleSpanExporter>();
//   ConsoleSpanExporter captured([&](std::string_view line) { lines.emplace_back(line); });
//
// Thread-safe; Export returns kFailure after Shutdown.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string_view>

#include "telemetry/sdk/span_exporter.h"

namespace aura::telemetry::exporters {

class ConsoleSpanExporter final : public sdk::SpanExporter {
 public:
  using Sink = std::function<void(std::string_view line)>;
  // Empty sink = stderr. Lines passed to the sink have no trailing newline.
  explicit ConsoleSpanExporter(Sink sink = {}) : sink_(std::move(sink)) {}
  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept override;
  bool ForceFlush(std::chrono::milliseconds) noexcept override;
  bool Shutdown(std::chrono::milliseconds) noexcept override {
    shutdown_.store(true);
    return true;
  }

 private:
  Sink sink_;
  std::mutex mu_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace aura::telemetry::exporters
