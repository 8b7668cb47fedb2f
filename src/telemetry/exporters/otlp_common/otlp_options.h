// File: telemetry/exporters/otlp_common/otlp_options.h
//
// OtlpExporterOptions: everything the OTLP exporters need, parsed from the
// OTEL_EXPORTER_OTLP_* variables (each `_TRACES_` variant wins over the
// generic one) and the AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT override.
//
//   std::vector<std::string> warnings;
//   OtlpExporterOptions o = ParseOtlpOptions(config.env, config.telemetry.otlp_endpoint, warnings);
//   if (!o.endpoint_error.empty()) { /* fall back to console */ }
//
// Rules (shared/OTEL_CONFORMANCE.md §5): protocol from *_PROTOCOL, else the
// endpoint's port (4317 → grpc, 4318 → http/protobuf), else http/protobuf.
// HTTP: a signal-specific endpoint is used verbatim (empty path → `/`); a base
// endpoint gets `v1/traces` appended after exactly one `/`. gRPC: the endpoint
// as given; `https://` → TLS, `http://` → plaintext, no scheme → INSECURE
// decides (default false = TLS).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/environment.h"
#include "telemetry/sdk/pipeline_health.h"

namespace aura::telemetry::otlp {

enum class OtlpProtocol { kGrpc, kHttpProtobuf, kHttpJson };
std::string_view OtlpProtocolName(OtlpProtocol p) noexcept;  // "grpc", "http/protobuf", "http/json"

struct OtlpExporterOptions {
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
  // HTTP: the full URL to POST to. gRPC: the endpoint as configured.
  std::string endpoint = "http://localhost:4318/v1/traces";
  // gRPC only: use TLS (from the scheme, else !OTEL_EXPORTER_OTLP_INSECURE).
  bool use_tls = false;
  std::string certificate_file;         // CA bundle (PEM)
  std::string client_key_file;          // mTLS key (PEM)
  std::string client_certificate_file;  // mTLS certificate (PEM)
  // Sent as HTTP headers / gRPC metadata (keys lowercase).
  std::vector<std::pair<std::string, std::string>> headers;
  // Per export, retries included; 0 in the variable = no limit (24 h here).
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
  // Retry backoff: initial delay, doubled per attempt up to max, ±50 % jitter.
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{5000};
  // Requests above this are not sent (dropped and counted).
  size_t max_request_bytes = 64u << 20;
  size_t max_response_bytes = 4u << 20;
  // Counters and exporter state; nullptr = none.
  std::shared_ptr<sdk::PipelineHealth> health;
  // Non-empty when the endpoint is not a usable URL (caller falls back to console).
  std::string endpoint_error;
  // True when an endpoint was configured at all (otherwise defaults apply).
  bool endpoint_configured = false;
};

// Parses from `env`; `endpoint_override` (AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT,
// already resolved by the config layer) stands for OTEL_EXPORTER_OTLP_ENDPOINT.
OtlpExporterOptions ParseOtlpOptions(const common::Environment& env, std::string_view endpoint_override,
                                     std::vector<std::string>& warnings);

// The HTTP URL from a signal endpoint (verbatim) or a base endpoint (+ v1/traces).
std::string HttpTracesUrl(std::string_view traces_endpoint, std::string_view base_endpoint);
// Parses `k1=v1,k2=v2` (percent-decoded, trimmed, keys lowercased). Invalid
// members are skipped with a warning.
std::vector<std::pair<std::string, std::string>> ParseOtlpHeaders(std::string_view text,
                                                                  std::vector<std::string>& warnings);

// A parsed endpoint: [scheme://]host[:port][/path].
struct EndpointParts {
  std::string scheme;  // "", "http" or "https"
  std::string host;
  int port = 0;        // 0 = not given
  std::string path;    // "" or starting with '/'
};
// nullopt when `endpoint` is not a URL this layer can use.
std::optional<EndpointParts> ParseEndpoint(std::string_view endpoint);

}  // namespace aura::telemetry::otlp
