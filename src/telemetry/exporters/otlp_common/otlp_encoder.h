// File: telemetry/exporters/otlp_common/otlp_encoder.h
//
// Encoding of spans for OTLP: the ExportTraceServiceRequest protobuf (grouped
// Resource → Scope → spans), its OTLP/JSON form (hex ids, integer enums,
// 64-bit integers as strings), gzip, and the small protobuf wire readers for
// what the bundled protos do not describe: the newer `partial_success` field of
// the export response and google.rpc.RetryInfo inside gRPC status details.
//
// The functions are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/sdk/span_data.h"

namespace aura::telemetry::otlp {

namespace proto = ::opentelemetry::proto;

// `spans` as the OTLP export request: grouped by resource (first seen first),
// then by scope, spans in batch order. The exporters send RequestEncoder's
// bytes (request_encoder.h), which equal this message serialized; this is the
// reference those bytes are tested against, and what test receivers compare.
void ToProto(std::span<const std::unique_ptr<sdk::SpanData>> spans,
             proto::collector::trace::v1::ExportTraceServiceRequest* request);

// OTLP/JSON of the same request.
std::string ToOtlpJson(std::span<const std::unique_ptr<sdk::SpanData>> spans);

// gzip (RFC 1952) of `data`; nullopt on a zlib error.
std::optional<std::string> Gzip(std::string_view data);
// Inflates gzip or zlib data, refusing output above `max_bytes`.
std::optional<std::string> Gunzip(std::string_view data, size_t max_bytes = 64u << 20);

struct PartialSuccess {
  int64_t rejected_spans = 0;
  std::string error_message;
};
// Reads field 1 (ExportTracePartialSuccess) of a serialized export response;
// nullopt when absent.
std::optional<PartialSuccess> ReadPartialSuccess(std::string_view response_bytes);
// A serialized export response carrying a partial success (for test receivers).
std::string EncodePartialSuccessResponse(int64_t rejected_spans, std::string_view error_message);

// The retry delay of a google.rpc.RetryInfo detail inside a serialized
// google.rpc.Status (grpc `error_details()`); nullopt when absent.
std::optional<std::chrono::milliseconds> ReadRetryInfoDelay(std::string_view status_details);
// A serialized google.rpc.Status with a RetryInfo detail (for test receivers).
std::string EncodeRetryInfoStatus(int code, std::string_view message, std::chrono::milliseconds delay);

}  // namespace aura::telemetry::otlp
