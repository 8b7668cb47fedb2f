// File: telemetry/sdk/span_processor.h
//
// SpanProcessor: sees every recording span at start and end and passes the
// ended ones on (BatchSpanProcessor, SimpleSpanProcessor).
//
// OnStart/OnEnd run on the thread that starts/ends the span and must not block.
// All methods are thread-safe and noexcept. After Shutdown, OnEnd and
// ForceFlush are ignored.
#pragma once

#include <chrono>
#include <memory>

#include "telemetry/sdk/span_data.h"

namespace aura::telemetry::sdk {

class SpanProcessor {
 public:
  SpanProcessor() = default;
  SpanProcessor(const SpanProcessor&) = delete;
  SpanProcessor& operator=(const SpanProcessor&) = delete;
  virtual ~SpanProcessor() = default;

  virtual void OnStart(SpanData& /*span*/, const SpanContext* /*parent*/) noexcept {}
  virtual void OnEnd(std::unique_ptr<SpanData> span) noexcept = 0;
  // Exports what was queued before the call; false on failure or timeout.
  virtual bool ForceFlush(std::chrono::milliseconds timeout) noexcept = 0;
  // ForceFlush then shut the exporter down. Idempotent.
  virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
  // True while, after Shutdown, an exporter call abandoned at its deadline
  // still runs: it may still read the spans' resource and scope, which the
  // TracerProvider then keeps alive.
  virtual bool ExportStillRunning() const noexcept { return false; }
};

}  // namespace aura::telemetry::sdk
