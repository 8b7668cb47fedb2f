// File: common/grpc/grpc_runtime.h
//
// Process-wide settings of the gRPC runtime, applied by each service's main
// once, after logging starts and before any gRPC channel or server exists:
//
//   aura::common::ConfigureGrpcRuntime();
//
// - gRPC's own log lines join ours as JSON: its errors as warnings (e.g. the
//   bind failure behind a port in use, which the services also report in
//   their own words), the rest at debug.
// - Abseil's mutex deadlock detector is turned off. Debian builds Abseil
//   without NDEBUG, which leaves the detector on: every absl::Mutex that
//   gRPC locks or destroys then updates a process-wide graph of lock orders
//   under a global lock, about 1.5 % of aura-core's CPU under load. Release
//   builds of Abseil elsewhere do not do this either.
#pragma once

namespace aura::common {

void ConfigureGrpcRuntime();

}  // namespace aura::common
