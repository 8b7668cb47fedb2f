// File: gateway/routes/agent_routes.h
//
// AgentRoutes: the agents' API (DESIGN §3) on top of the core client.
//
//   POST /v1/negotiate              signed
//   POST /v1/search                 signed
//   POST /v1/deals/{deal_id}/status signed
//   GET  /v1/system/status          open
//
// A signed request goes through, in order:
//   1. the body parsed as JSON (malformed, invalid UTF-8, too deep, huge
//      integers: 400) and re-serialised canonically for its hash;
//   2. SignatureVerifier (401 {"detail": "<which check failed>"});
//   3. ReplayGuard lookup by ReplayKey(signature) and RateLimiter::Check for
//      the verified DID (429 {"detail": "Rate limit exceeded"} with
//      Retry-After). A replay inside the window gets the first answer again
//      (replays count against the limit like any request);
//   4. the route: body schema (422), then the core call. Negotiate sends the
//      replay key as the core's request_id (idempotency key), so concurrent
//      replays cannot negotiate twice, and the verified DID as agent.did.
// Every response after step 2 carries X-RateLimit-Limit, -Remaining and
// -Reset. Final answers below 500 (except 429) are remembered by the guard
// until the signature's timestamp leaves the window.
//
// Steps that may block on Redis (3 and the remembering) run on the blocking
// pool when one is given, inline otherwise (in-process backends). Core replies
// arrive on gRPC callback threads and are sent with HttpResponder::Send,
// which posts the write back to the connection's I/O thread.
//
// Thread-safe; the dependencies must outlive the routes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/metrics/instruments.h"
#include "gateway/auth/json.h"
#include "gateway/auth/replay_guard.h"
#include "gateway/auth/signature.h"
#include "gateway/core_client/core_client.h"
#include "gateway/internal/blocking_pool.h"
#include "gateway/request_trace.h"
#include "gateway/ratelimit/rate_limiter.h"
#include "http/router.h"

namespace aura::gateway {

struct AgentRoutesDeps {
  CoreClient* core = nullptr;
  const SignatureVerifier* verifier = nullptr;
  ReplayGuard* replay_guard = nullptr;
  RateLimiter* rate_limiter = nullptr;
  // Where blocking steps run; null = inline.
  internal::BlockingPool* blocking = nullptr;
  const common::Clock* clock = nullptr;
  // The signature window (remembered answers live this long past the timestamp).
  std::chrono::seconds skew{60};
  // Optional instruments: 401 reasons (as slugs) and 429s, and the outcome of
  // each POST /v1/negotiate answer ("accepted", ..., "error").
  common::GatewayAuthMetrics* auth_metrics = nullptr;
  std::function<void(const std::string& outcome)> negotiation_outcome;
};

class AgentRoutes {
 public:
  explicit AgentRoutes(AgentRoutesDeps deps);
  AgentRoutes(const AgentRoutes&) = delete;
  AgentRoutes& operator=(const AgentRoutes&) = delete;

  // Adds the four routes to `router`; this object must outlive it.
  void Register(http::Router& router);

  // A signed request that passed steps 1-3.
  struct SignedCall {
    VerifiedAgent agent;
    std::optional<JsonValue> body;  // nullopt for an empty body
    std::string replay_key;
    int64_t remember_until = 0;
    RateDecision rate;
    std::string request_id;
    std::string deal_id;
    // The request's SERVER span and its context (null outside GatewayServer).
    std::shared_ptr<RequestTrace> trace;
  };
  using SignedHandler = void (AgentRoutes::*)(std::shared_ptr<SignedCall>, http::HttpResponder);

 private:
  void HandleSigned(http::HttpRequest& request, http::HttpResponder responder,
                    SignedHandler handler);
  static std::string OutcomeOf(const proto::NegotiateResponse& response);
  static std::string ReasonOf(const proto::NegotiateResponse& response);
  void NegotiationOutcome(const std::shared_ptr<SignedCall>& call, const std::string& outcome,
                          const std::string& reason);
  void GuardAndLimit(std::shared_ptr<SignedCall> call, http::HttpResponder responder,
                     SignedHandler handler);
  // Adds the rate-limit headers, remembers the answer when final, and sends.
  void Finish(const std::shared_ptr<SignedCall>& call, http::HttpResponder responder,
              http::HttpResponse response);

  void Negotiate(std::shared_ptr<SignedCall> call, http::HttpResponder responder);
  void Search(std::shared_ptr<SignedCall> call, http::HttpResponder responder);
  void DealStatus(std::shared_ptr<SignedCall> call, http::HttpResponder responder);
  void SystemStatus(http::HttpRequest& request, http::HttpResponder responder);

  // Runs `fn` on the blocking pool, or inline without one. False when the
  // pool is full.
  bool RunBlocking(std::function<void()> fn);

  AgentRoutesDeps deps_;
};

}  // namespace aura::gateway
