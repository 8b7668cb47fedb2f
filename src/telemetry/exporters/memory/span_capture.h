// File: telemetry/exporters/memory/span_capture.h
//
// SpanCapture, for tests: installs a global tracer provider whose spans are
// exported one by one, as they end, into memory; uninstalls it on destruction.
//
//   telemetry::exporters::SpanCapture capture;
//   ... code that starts spans through telemetry::GetTracer(...) ...
//   capture.provider->ForceFlush();
//   for (const sdk::SpanData& s : capture.spans->GetSpans()) ...
//
// One at a time per process (it replaces the global provider).
#pragma once

#include <memory>
#include <utility>

#include "telemetry/api/provider.h"
#include "telemetry/exporters/memory/in_memory_span_exporter.h"
#include "telemetry/sdk/simple_span_processor.h"
#include "telemetry/sdk/tracer_provider.h"

namespace aura::telemetry::exporters {

struct SpanCapture {
  SpanCapture() {
    auto exporter = std::make_unique<InMemorySpanExporter>();
    spans = exporter->data();
    provider = std::make_shared<sdk::TracerProvider>(
        sdk::TracerProviderOptions{},
        sdk::MakeProcessors(std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter))));
    SetTracerProvider(provider);
  }
  ~SpanCapture() { SetTracerProvider(nullptr); }
  SpanCapture(const SpanCapture&) = delete;
  SpanCapture& operator=(const SpanCapture&) = delete;

  std::shared_ptr<InMemorySpanData> spans;  // every ended span, in order
  std::shared_ptr<sdk::TracerProvider> provider;
};

}  // namespace aura::telemetry::exporters
