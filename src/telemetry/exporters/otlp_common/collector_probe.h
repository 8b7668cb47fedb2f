// File: telemetry/exporters/otlp_common/collector_probe.h
//
// Cheap reachability checks for an OTLP collector, used by
// sdk::FallbackUntilReachableExporter to decide between OTLP and the console
// fallback without sending a request.
//
//   sdk::ReachabilityProbe probe = otlp::MakeCollectorProbe(options);  // from the parsed options
//   common::Status s = probe(std::chrono::milliseconds(250));
//   common::Status t = otlp::TcpConnectProbe("127.0.0.1", 4317, std::chrono::milliseconds(250));
//
// TcpConnectProbe resolves `host` (getaddrinfo: instant for literal addresses
// and `localhost`, otherwise as fast as the resolver) and tries a
// non-blocking connect to each address until one succeeds or `timeout`
// (shared by all addresses) passes; the connection is closed at once.
//
// Status codes: OK = something accepts TCP connections there; kUnavailable =
// refused, unreachable, timed out or not resolvable (the message names
// host:port and the error); kInvalidArgument = the endpoint is not a URL
// (MakeCollectorProbe's probe). Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"
#include "telemetry/exporters/otlp_common/otlp_options.h"
#include "telemetry/sdk/fallback_until_reachable_exporter.h"

namespace aura::telemetry::otlp {

common::Status TcpConnectProbe(const std::string& host, int port, std::chrono::milliseconds timeout) noexcept;

// host:port the exporter for `options` talks to: the endpoint's port, else the
// default of the scheme (http 80, https 443; gRPC without a port: 443, as
// gRPC itself assumes). Brackets around an IPv6 literal are removed.
struct CollectorAddress {
  std::string host;
  int port = 0;
};
common::Result<CollectorAddress> CollectorAddressOf(const OtlpExporterOptions& options);

// A probe that TCP-connects to CollectorAddressOf(options).
sdk::ReachabilityProbe MakeCollectorProbe(const OtlpExporterOptions& options);

}  // namespace aura::telemetry::otlp
