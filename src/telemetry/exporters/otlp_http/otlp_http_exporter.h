// File: telemetry/exporters/otlp_http/otlp_http_exporter.h
//
// OtlpHttpExporter: OTLP/HTTP with libcurl — POST of a binary (or JSON)
// ExportTraceServiceRequest to `<endpoint>` (…/v1/traces), optional gzip,
// headers from OTEL_EXPORTER_OTLP_HEADERS.
//
//   auto exporter = std::make_unique<OtlpHttpExporter>(options);   // see otlp_options.h
//
// Retries 429, 502, 503, 504 and connection failures with exponential backoff
// and jitter, honouring Retry-After (seconds or HTTP-date), all within
// options.timeout; any other status drops the batch. A 200 with a partial
// success is a success (rejected spans are counted). Requests above 64 MiB are
// not sent.
//
// Thread-compatible for Export (the processor serialises it); Shutdown may be
// called from any thread; it interrupts a retry wait and aborts a request in
// flight (curl's progress callback, within about a second).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "telemetry/exporters/otlp_common/otlp_encoder.h"
#include "telemetry/exporters/otlp_common/otlp_options.h"
#include "telemetry/exporters/otlp_common/request_encoder.h"
#include "telemetry/exporters/otlp_common/retry.h"
#include "telemetry/sdk/span_exporter.h"

namespace aura::telemetry::otlp {

class OtlpHttpExporter final : public sdk::SpanExporter {
 public:
  explicit OtlpHttpExporter(OtlpExporterOptions options);
  ~OtlpHttpExporter() override;

  sdk::ExportResult Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

  // Result of one HTTP attempt (exposed for tests).
  struct Attempt {
    long status = 0;           // 0 = no HTTP response (connection failure)
    std::string error;         // transport error text
    std::string body;          // response body (≤ max_response_bytes)
    std::string retry_after;   // Retry-After header value
  };
  // Parses a Retry-After value (delta-seconds or HTTP-date) into a delay.
  static std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

 private:
  Attempt Post(std::string_view body, RetryClock::Clock::time_point deadline);

  OtlpExporterOptions options_;
  RetryClock retry_;
  RequestEncoder request_encoder_;  // used by the one Export call running at a time
  std::atomic<bool> shutdown_{false};
  std::mutex curl_mu_;
  void* curl_ = nullptr;  // CURL*, guarded by curl_mu_
};

}  // namespace aura::telemetry::otlp
