// File: telemetry/exporters/otlp_grpc/otlp_grpc_exporter.h
//
// OtlpGrpcExporter: OTLP/gRPC, the request's bytes from RequestEncoder sent
// through gRPC's generic stub to
// `/opentelemetry.proto.collector.trace.v1.TraceService/Export`. Headers go
// as metadata, gzip via grpc-encoding, TLS for `https://` (or no scheme without
// INSECURE) with the configured CA / client certificate files.
//
//   auto exporter = std::make_unique<OtlpGrpcExporter>(options);   // see otlp_options.h
//
// Retries CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and
// DATA_LOSS with exponential backoff and jitter, and RESOURCE_EXHAUSTED only
// when the status carries a google.rpc.RetryInfo (waiting its delay), all
// within options.timeout. The channel connects lazily and never waits for a
// down collector (no wait-for-ready), so an outage costs one fast failure per
// attempt.
//
// Thread-compatible for Export (the processor serialises it); Shutdown may be
// called from any thread; it interrupts a retry wait and cancels a call in
// flight.
#pragma once

#include <atomic>
#include <memory>

#include "telemetry/exporters/otlp_common/otlp_options.h"
#include "telemetry/exporters/otlp_common/retry.h"
#include "telemetry/sdk/span_exporter.h"

namespace aura::telemetry::otlp {

class OtlpGrpcExporter final : public sdk::SpanExporter {
 public:
  explicit OtlpGrpcExporter(OtlpExporterOptions options);
  ~OtlpGrpcExporter() override;

  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

  // The gRPC target for an endpoint: scheme and path removed ("host:port").
  static std::string Target(std::string_view endpoint);
  // Whether a gRPC status code (numeric) is retried (RESOURCE_EXHAUSTED only with RetryInfo).
  static bool IsRetryable(int code, bool has_retry_info) noexcept;

 private:
  struct Impl;
  OtlpExporterOptions options_;
  RetryClock retry_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace aura::telemetry::otlp
