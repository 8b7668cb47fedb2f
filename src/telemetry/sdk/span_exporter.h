// File: telemetry/sdk/span_exporter.h
//
// SpanExporter: the swap point for wire formats (OTLP/gRPC, OTLP/HTTP,
// console, memory). A processor hands it batches of ended, sampled spans.
//
// Contract:
//  - Export is never called concurrently with itself on one exporter (the
//    processors serialise it); ForceFlush and Shutdown may be called from any
//    thread, concurrently with Export.
//  - Export returns within the exporter's own timeout (retries included) and
//    reports the outcome as a value; it never throws.
//  - After Shutdown, Export returns kFailure without doing anything.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>

#include "telemetry/sdk/span_data.h"

namespace aura::telemetry::sdk {

enum class ExportResult { kSuccess, kFailure };

class SpanExporter {
 public:
  SpanExporter() = default;
  SpanExporter(const SpanExporter&) = delete;
  SpanExporter& operator=(const SpanExporter&) = delete;
  virtual ~SpanExporter() = default;

  virtual ExportResult Export(std::span<const std::unique_ptr<SpanData>> spans) noexcept = 0;
  virtual bool ForceFlush(std::chrono::milliseconds /*timeout*/) noexcept { return true; }
  virtual bool Shutdown(std::chrono::milliseconds timeout) noexcept = 0;
};

}  // namespace aura::telemetry::sdk
