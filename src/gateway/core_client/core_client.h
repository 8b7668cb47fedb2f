// File: gateway/core_client/core_client.h
//
// CoreClient: the gateway's only way to aura-core. gRPC callback API (no
// thread waits for a reply), a deadline on every call, and the call metadata
// (x-request-id, and the W3C traceparent/tracestate/baggage of the call's
// CLIENT span) written in one place.
//
// Tracing: every NegotiationService call gets a CLIENT span
// "aura.negotiation.v1.NegotiationService/<Method>" (rpc.system, rpc.service,
// rpc.method, rpc.grpc.status_code, server.address/port; Error on any non-OK
// code), child of the context current on the calling thread. The callback runs
// inside that calling context (a telemetry::Scope), so its log lines and spans
// join the caller's trace. With options.metrics set, each call is also counted
// in aura_grpc_client_handled_total / _request_duration_seconds.
//
//   CoreClient core({.address = "localhost:50051", .timeout = std::chrono::seconds(5)});
//   core.Negotiate(request, {.request_id = id},
//                  [responder](const grpc::Status& status, NegotiateResponse&& response) {
//                    ... build the HTTP answer, then std::move(responder).Send(...);
//                  });
//   core.CheckHealth([](const CoreHealth& h) { ... });   // grpc.health.v1 Check, 0.5 s
//
// Callbacks run on a gRPC callback thread: they must not block (post blocking
// work elsewhere; HttpResponder::Send posts back to the connection's thread).
// The channel connects lazily and reconnects by itself with a short backoff
// (at most 1 s between attempts), so the gateway starts without the core and
// recovers soon after the core comes back.
//
// Thread-safe. Shutdown() (also run by the destructor) cancels calls in flight
// and waits for their callbacks; calls issued afterwards complete at once with
// UNAVAILABLE.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "aura/negotiation/v1/negotiation.grpc.pb.h"
#include "common/metrics/instruments.h"
#include "telemetry/api/context.h"
#include "telemetry/api/tracer.h"

namespace aura::gateway {

namespace proto = ::aura::negotiation::v1;

struct CoreClientOptions {
  // host:port of aura-core.
  std::string address = "localhost:50051";
  // Deadline of each NegotiationService call.
  std::chrono::milliseconds timeout{5000};
  // Deadline of the health probe (/readyz, /health).
  std::chrono::milliseconds health_timeout{500};
  // Channel reconnect backoff bounds.
  std::chrono::milliseconds min_reconnect_backoff{100};
  std::chrono::milliseconds max_reconnect_backoff{1000};
  // Client-side gRPC metrics (GrpcMetrics(registry, "client")); not owned, may
  // be null. Must outlive the client.
  common::GrpcMetrics* metrics = nullptr;
};

// What travels as gRPC metadata with every call.
struct CallMetadata {
  std::string request_id;  // sent as x-request-id
};

// Result of one grpc.health.v1.Health/Check.
struct CoreHealth {
  bool serving = false;
  // "SERVING", "NOT_SERVING", or the gRPC error ("UNAVAILABLE: ...").
  std::string detail;
  std::chrono::microseconds latency{0};
};

class CoreClient {
 public:
  template <typename Response>
  using Callback = std::function<void(const grpc::Status& status, Response&& response)>;

  explicit CoreClient(CoreClientOptions options);
  ~CoreClient();
  CoreClient(const CoreClient&) = delete;
  CoreClient& operator=(const CoreClient&) = delete;

  void Negotiate(const proto::NegotiateRequest& request, const CallMetadata& metadata,
                 Callback<proto::NegotiateResponse> done);
  void Search(const proto::SearchRequest& request, const CallMetadata& metadata,
              Callback<proto::SearchResponse> done);
  void GetSystemStatus(const CallMetadata& metadata, Callback<proto::GetSystemStatusResponse> done);
  void CheckDealStatus(const proto::CheckDealStatusRequest& request, const CallMetadata& metadata,
                       Callback<proto::CheckDealStatusResponse> done);
  // grpc.health.v1.Health/Check for the whole server (service ""), with
  // options.health_timeout as deadline.
  void CheckHealth(std::function<void(const CoreHealth&)> done);

  // Cancels calls in flight, waits (up to `wait`) for their callbacks, and
  // refuses new calls. Idempotent.
  void Shutdown(std::chrono::milliseconds wait = std::chrono::milliseconds(5000));

  const CoreClientOptions& options() const { return options_; }

 private:
  // Writes the call metadata onto `context`: the one place for it.
  // `trace` is the call's context (the CLIENT span's), injected as W3C headers.
  static void ApplyMetadata(grpc::ClientContext& context, const CallMetadata& metadata,
                            const telemetry::Context& trace);

  template <typename Request, typename Response, typename Invoke>
  void Call(const char* method, const Request& request, const CallMetadata& metadata,
            Callback<Response> done, Invoke invoke);
  bool Enter();
  void Leave();

  CoreClientOptions options_;
  std::string server_host_;
  int server_port_ = 0;
  telemetry::Tracer tracer_{"aura.gateway.core_client"};
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<proto::NegotiationService::Stub> stub_;
  std::unique_ptr<grpc::GenericStub> generic_stub_;

  std::mutex mu_;
  std::condition_variable idle_cv_;
  int in_flight_ = 0;       // guarded by mu_
  bool shut_down_ = false;  // guarded by mu_
  // Contexts of calls in flight, for cancellation at shutdown. Guarded by mu_.
  std::vector<grpc::ClientContext*> contexts_;
};

}  // namespace aura::gateway
