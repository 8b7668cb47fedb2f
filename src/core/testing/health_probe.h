// File: core/testing/health_probe.h
//
// CheckHealth: one grpc.health.v1.Health/Check call without generated health
// stubs (the Debian packages ship no health.proto): the request and response
// are two tiny protobuf messages, encoded here by hand over a generic stub.
//
//   auto channel = grpc::CreateChannel(core->dial_address(), grpc::InsecureChannelCredentials());
//   Result<HealthState> s = CheckHealth(channel, "", std::chrono::seconds(1));
//   // *s == HealthState::kServing
//
// Thread-safe. Returns the RPC's error as a Status (e.g. UNAVAILABLE when the
// server is gone, NOT_FOUND for an unknown service name).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"

namespace aura::core::testing {

// grpc.health.v1.HealthCheckResponse.ServingStatus.
enum class HealthState { kUnknown = 0, kServing = 1, kNotServing = 2, kServiceUnknown = 3 };

common::Result<HealthState> CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                                        std::chrono::milliseconds timeout);

}  // namespace aura::core::testing
