// File: telemetry/sdk/simple_span_processor.h
//
// SimpleSpanProcessor: exports each sampled span as it ends, on the ending
// thread, one export at a time. For the console exporter and tests; never for
// a network exporter on the request path.
//
//   provider_options, {std::make_unique<SimpleSpanProcessor>(MakeConsoleSpanExporter())}
//
// Thread-safe (exports are serialised by a mutex).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "telemetry/sdk/pipeline_health.h"
#include "telemetry/sdk/span_exporter.h"
#include "telemetry/sdk/span_processor.h"

namespace aura::telemetry::sdk {

class SimpleSpanProcessor final : public SpanProcessor {
 public:
  explicit SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                               std::shared_ptr<PipelineHealth> health = nullptr);
  ~SimpleSpanProcessor() override;
  void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  std::unique_ptr<SpanExporter> exporter_;
  std::shared_ptr<PipelineHealth> health_;
  std::mutex mu_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace aura::telemetry::sdk
