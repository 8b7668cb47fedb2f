#include "core/testing/health_probe.h"

#include <grpcpp/generic/generic_stub.h>

#include "common/grpc/generic_call.h"

namespace aura::core::testing {

common::Result<HealthState> CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                                        std::chrono::milliseconds timeout) {
  // HealthCheckRequest { string service = 1; }
  std::string request;
  if (!service.empty()) {
    request.push_back(0x0A);
    request.push_back(static_cast<char>(service.size()));  // names stay under 128 bytes
    request += service;
  }
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);

  grpc::GenericStub stub(channel);
  grpc::Status status = common::GenericUnaryCall(stub, &context, "/grpc.health.v1.Health/Check", request_buffer,
                                                 &response_buffer);
  if (!status.ok()) {
    return common::Status(static_cast<common::StatusCode>(status.error_code()),
                          status.error_message());
  }
  std::vector<grpc::Slice> slices;
  if (!response_buffer.Dump(&slices).ok()) return common::InternalError("unreadable response");
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse { ServingStatus status = 1; } — absent means UNKNOWN.
  if (bytes.size() >= 2 && bytes[0] == 0x08) return static_cast<HealthState>(bytes[1]);
  return HealthState::kUnknown;
}

}  // namespace aura::core::testing
