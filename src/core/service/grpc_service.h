// File: core/service/grpc_service.h
//
// GrpcNegotiationService: the thin gRPC adapter of the core. It implements
// aura.negotiation.v1.NegotiationService with gRPC's callback API — no thread
// per request — turning protos into NegotiationService calls and answers back
// into protos. Everything protocol-specific lives here and in two helpers:
//
//   ReadRequestMetadata  — the one place request metadata is read (x-request-id;
//                          the trace context is extracted by the server span);
//   ToGrpcStatus         — the one mapping from common::Status to grpc::Status.
//
// Negotiate, Search and GetSystemStatus may block (database, a remote
// embedder, Prometheus), so they run on a bounded WorkerPool and finish their
// reactor from there: gRPC's callback threads never wait on I/O. A full pool
// answers RESOURCE_EXHAUSTED at once; a call whose deadline passed or that was
// cancelled while queued is not run at all. CheckDealStatus (no I/O) answers
// inline.
//
//   WorkerPool pool({.threads = 8});
//   GrpcNegotiationService grpc_service(service, pool);
//   builder.RegisterService(&grpc_service);
//
// Thread-safe. Each call logs at most one info line, `grpc.request`, with the
// method, code, duration and (Negotiate) outcome, bound to the request id.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "aura/negotiation/v1/negotiation.grpc.pb.h"
#include "common/status.h"
#include "common/metrics/instruments.h"
#include "core/service/negotiation_service.h"
#include "core/service/worker_pool.h"

namespace aura::core {

// The request metadata the core understands. Values are copied out of the
// call so they may be used after the handler returns.
struct RequestMetadata {
  std::string request_id;  // x-request-id ("" when absent)
};

RequestMetadata ReadRequestMetadata(const grpc::ServerContextBase& context);

// common::Status → grpc::Status: same code number, same message.
grpc::Status ToGrpcStatus(const common::Status& status);

// Fills a NegotiateResponse from a stored decision.
void FillNegotiateResponse(const storage::NegotiationRecord& record,
                           aura::negotiation::v1::NegotiateResponse& response);

class GrpcNegotiationService final
    : public aura::negotiation::v1::NegotiationService::CallbackService {
 public:
  // `service` and `pool` are borrowed and must outlive this object (and the
  // grpc::Server it is registered with must be shut down before the pool).
  // `metrics` (optional, borrowed) counts every call per method and code
  // (aura_grpc_server_*); each call also gets a SERVER span continuing the
  // caller's traceparent, current on the worker thread while the call runs.
  GrpcNegotiationService(NegotiationService& service, WorkerPool& pool,
                         common::GrpcMetrics* metrics = nullptr);
  GrpcNegotiationService(const GrpcNegotiationService&) = delete;
  GrpcNegotiationService& operator=(const GrpcNegotiationService&) = delete;

  grpc::ServerUnaryReactor* Negotiate(grpc::CallbackServerContext* context,
                                      const aura::negotiation::v1::NegotiateRequest* request,
                                      aura::negotiation::v1::NegotiateResponse* response) override;
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const aura::negotiation::v1::SearchRequest* request,
                                   aura::negotiation::v1::SearchResponse* response) override;
  grpc::ServerUnaryReactor* GetSystemStatus(
      grpc::CallbackServerContext* context,
      const aura::negotiation::v1::GetSystemStatusRequest* request,
      aura::negotiation::v1::GetSystemStatusResponse* response) override;
  grpc::ServerUnaryReactor* CheckDealStatus(
      grpc::CallbackServerContext* context,
      const aura::negotiation::v1::CheckDealStatusRequest* request,
      aura::negotiation::v1::CheckDealStatusResponse* response) override;

 private:
  // Runs `work` on the pool and finishes the call with its status; answers
  // RESOURCE_EXHAUSTED when the pool is full. `work` fills the response and
  // may name the outcome for the call's log line.
  struct CallResult {
    grpc::Status status;
    const char* outcome = nullptr;  // Negotiate only
    bool replayed = false;
  };
  template <typename Work>
  grpc::ServerUnaryReactor* Offload(grpc::CallbackServerContext* context, const char* method,
                                    std::string log_request_id, Work work);

  common::GrpcMetrics::Method* MetricsFor(const char* method) noexcept;

  NegotiationService& service_;
  WorkerPool& pool_;
  common::GrpcMetrics* metrics_ = nullptr;
};

}  // namespace aura::core
