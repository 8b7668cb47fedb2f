// File: common/grpc/generic_call.h
//
// A unary call through gRPC's generic stub, waited for: for callers that hold
// the request's serialized bytes rather than a generated message.
//
//   grpc::GenericStub stub(channel);
//   grpc::Status status = aura::common::GenericUnaryCall(stub, &context, "/pkg.Service/Method",
//                                                        request_bytes, &response_bytes);
//
// Blocks the calling thread until the call ends; `context` carries the
// deadline, metadata and compression, and TryCancel() on it ends the wait.
#pragma once

#include <grpcpp/generic/generic_stub.h>

#include <string>

namespace aura::common {

grpc::Status GenericUnaryCall(grpc::GenericStub& stub, grpc::ClientContext* context, const std::string& method,
                              const grpc::ByteBuffer& request, grpc::ByteBuffer* response);

}  // namespace aura::common
