#include "gateway/routes/agent_routes.h"

#include <charconv>

#include "common/log/log.h"
#include "telemetry/api/tracer.h"
#include "gateway/auth/canonical_json.h"
#include "gateway/error_mapping.h"
#include "gateway/routes/request_schema.h"
#include "gateway/routes/response_json.h"

namespace aura::gateway {

using http::HttpRequest;
using http::HttpResponder;
using http::HttpResponse;

namespace {

void AddRateHeaders(HttpResponse& response, const RateDecision& d) {
  response.SetHeader("X-RateLimit-Limit", std::to_string(d.limit));
  response.SetHeader("X-RateLimit-Remaining", std::to_string(d.remaining));
  response.SetHeader("X-RateLimit-Reset", std::to_string(d.reset_unix));
}

bool IsFinalAnswer(int status) { return status < 500 && status != 429; }

// The metric/span slug of a signature check's failure message.
std::string AuthFailureSlug(std::string_view message) {
  if (message.starts_with("Missing")) return "missing_header";
  if (message.find("DID") != std::string_view::npos) return "invalid_did";
  if (message.find("outside") != std::string_view::npos) return "stale_timestamp";
  if (message.find("timestamp") != std::string_view::npos) return "invalid_timestamp";
  if (message.find("encoding") != std::string_view::npos) return "invalid_signature_encoding";
  if (message.find("signature") != std::string_view::npos) return "invalid_signature";
  return "other";
}

const telemetry::Tracer& AuthTracer() {
  static const telemetry::Tracer tracer("aura.gateway.auth");
  return tracer;
}

// Attaches the request's context on a thread the work moved to.
class TraceScope {
 public:
  explicit TraceScope(const std::shared_ptr<RequestTrace>& trace)
      : scope_(trace ? trace->context : Empty()) {}

 private:
  static const telemetry::Context& Empty() {
    static const telemetry::Context kEmpty;
    return kEmpty;
  }
  telemetry::Scope scope_;
};

}  // namespace

AgentRoutes::AgentRoutes(AgentRoutesDeps deps) : deps_(deps) {
  if (deps_.clock == nullptr) deps_.clock = &common::SystemClock::Instance();
}

void AgentRoutes::Register(http::Router& router) {
  router.Add("POST", "/v1/negotiate", [this](HttpRequest& req, HttpResponder r) {
    HandleSigned(req, std::move(r), &AgentRoutes::Negotiate);
  });
  router.Add("POST", "/v1/search", [this](HttpRequest& req, HttpResponder r) {
    HandleSigned(req, std::move(r), &AgentRoutes::Search);
  });
  router.Add("POST", "/v1/deals/{deal_id}/status", [this](HttpRequest& req, HttpResponder r) {
    HandleSigned(req, std::move(r), &AgentRoutes::DealStatus);
  });
  router.Add("GET", "/v1/system/status",
             [this](HttpRequest& req, HttpResponder r) { SystemStatus(req, std::move(r)); });
}

bool AgentRoutes::RunBlocking(std::function<void()> fn) {
  if (deps_.blocking == nullptr) {
    fn();
    return true;
  }
  return deps_.blocking->Submit(std::move(fn));
}

void AgentRoutes::HandleSigned(HttpRequest& request, HttpResponder responder,
                               SignedHandler handler) {
  auto call = std::make_shared<SignedCall>();
  call->request_id = request.request_id;
  call->deal_id = std::string(request.PathParam("deal_id"));
  call->trace = std::static_pointer_cast<RequestTrace>(request.extension);

  // 1. The body and its canonical hash.
  std::string canonical;
  if (!request.body.empty()) {
    auto parsed = ParseJson(request.body);
    if (!parsed.ok()) {
      std::move(responder).Send(
          HttpResponse::Error(400, "Invalid JSON body: " + parsed.status().message()));
      return;
    }
    call->body = std::move(parsed).value();
    canonical = CanonicalJson(*call->body);
  }

  // 2. The signature.
  SignatureHeaders headers;
  headers.agent_id = request.Header("x-agent-id").value_or("");
  headers.timestamp = request.Header("x-timestamp").value_or("");
  headers.signature = request.Header("x-signature").value_or("");
  int64_t now = deps_.clock->NowUnixSeconds();
  common::Result<VerifiedAgent> agent = common::UnauthenticatedError("not checked");
  {
    // Never the signature itself: only who claims to sign and the verdict.
    auto span = AuthTracer().StartScopedSpan("auth.verify_signature");
    agent = deps_.verifier->Verify(request.method, request.path, headers, Sha256Hex(canonical),
                                   now);
    span.SetAttribute("aura.agent_did", headers.agent_id);
    span.SetAttribute("outcome", agent.ok() ? std::string("ok")
                                            : AuthFailureSlug(agent.status().message()));
  }
  if (!agent.ok()) {
    AURA_LOG_DEBUG("auth.rejected").With("reason", agent.status().message());
    if (deps_.auth_metrics != nullptr) {
      deps_.auth_metrics->SignatureFailure(AuthFailureSlug(agent.status().message()));
    }
    std::move(responder).Send(GatewayErrorResponse(agent.status()));
    return;
  }
  call->agent = std::move(agent).value();
  if (call->trace) call->trace->span.SetAttribute("aura.agent_did", call->agent.did);
  call->replay_key = ReplayKey(call->agent.signature_hex);
  int64_t ts = now;
  std::from_chars(headers.timestamp.data(), headers.timestamp.data() + headers.timestamp.size(),
                  ts);
  call->remember_until = std::max(ts, now) + deps_.skew.count();

  // 3. Replay guard and rate limit, which may wait on Redis.
  auto shared_responder = std::make_shared<HttpResponder>(std::move(responder));
  bool queued = RunBlocking([this, call, shared_responder, handler] {
    GuardAndLimit(call, std::move(*shared_responder), handler);
  });
  if (!queued) {
    std::move(*shared_responder).Send(HttpResponse::Error(503, "Server busy"));
  }
}

void AgentRoutes::GuardAndLimit(std::shared_ptr<SignedCall> call, HttpResponder responder,
                                SignedHandler handler) {
  common::ScopedRequestId rid(call->request_id);
  TraceScope trace_scope(call->trace);
  std::optional<StoredResponse> seen = deps_.replay_guard->Lookup(call->replay_key);
  call->rate = deps_.rate_limiter->Check(call->agent.did, deps_.clock->NowUnixSeconds());
  if (!call->rate.allowed) {
    if (deps_.auth_metrics != nullptr) deps_.auth_metrics->RateLimited();
    HttpResponse res = HttpResponse::Error(429, "Rate limit exceeded");
    res.SetHeader("Retry-After", std::to_string(std::max(1, call->rate.retry_after_seconds)));
    AddRateHeaders(res, call->rate);
    std::move(responder).Send(std::move(res));
    return;
  }
  if (seen) {
    AURA_LOG_INFO("auth.replay_answered").With("agent_did", call->agent.did);
    HttpResponse res;
    res.status = seen->status;
    res.SetHeader("Content-Type", seen->content_type);
    res.body = std::move(seen->body);
    AddRateHeaders(res, call->rate);
    std::move(responder).Send(std::move(res));
    return;
  }
  (this->*handler)(std::move(call), std::move(responder));
}

void AgentRoutes::Finish(const std::shared_ptr<SignedCall>& call, HttpResponder responder,
                         HttpResponse response) {
  AddRateHeaders(response, call->rate);
  if (!IsFinalAnswer(response.status)) {
    std::move(responder).Send(std::move(response));
    return;
  }
  auto content_type = response.Header("Content-Type").value_or("application/json");
  StoredResponse stored{response.status, response.body, std::string(content_type)};
  auto shared_responder = std::make_shared<HttpResponder>(std::move(responder));
  auto shared_response = std::make_shared<HttpResponse>(std::move(response));
  bool queued = RunBlocking([this, call, stored, shared_responder, shared_response] {
    TraceScope trace_scope(call->trace);
    deps_.replay_guard->Remember(call->replay_key, stored, call->remember_until);
    std::move(*shared_responder).Send(std::move(*shared_response));
  });
  if (!queued) std::move(*shared_responder).Send(std::move(*shared_response));
}

void AgentRoutes::Negotiate(std::shared_ptr<SignedCall> call, HttpResponder responder) {
  auto body = ValidateNegotiateBody(call->body ? &*call->body : nullptr);
  if (!body.ok()) {
    Finish(call, std::move(responder), ValidationErrorResponse(body.errors));
    return;
  }
  proto::NegotiateRequest req;
  req.set_request_id(call->replay_key);
  req.set_item_id(body.value.item_id);
  req.set_bid_amount(body.value.bid_amount);
  req.set_currency_code(body.value.currency);
  req.mutable_agent()->set_did(call->agent.did);
  req.mutable_agent()->set_reputation_score(1.0f);
  if (call->trace) {
    call->trace->span.SetAttribute("aura.item_id", body.value.item_id)
        .SetAttribute("aura.bid_amount", body.value.bid_amount);
  }
  auto shared_responder = std::make_shared<HttpResponder>(std::move(responder));
  deps_.core->Negotiate(
      req, {.request_id = call->request_id},
      [this, call, shared_responder](const grpc::Status& status, proto::NegotiateResponse&& resp) {
        common::ScopedRequestId rid(call->request_id);
        if (!status.ok()) {
          AURA_LOG_WARNING("core.call_failed")
              .With("rpc", "Negotiate")
              .With("code", static_cast<int>(status.error_code()))
              .With("error", status.error_message());
          NegotiationOutcome(call, "error", "");
          Finish(call, std::move(*shared_responder), CoreErrorResponse(status));
          return;
        }
        NegotiationOutcome(call, OutcomeOf(resp), ReasonOf(resp));
        Finish(call, std::move(*shared_responder), HttpResponse::Json(200, NegotiateJson(resp)));
      });
}

std::string AgentRoutes::OutcomeOf(const proto::NegotiateResponse& r) {
  switch (r.result_case()) {
    case proto::NegotiateResponse::kAccepted: return "accepted";
    case proto::NegotiateResponse::kCountered: return "countered";
    case proto::NegotiateResponse::kRejected: return "rejected";
    case proto::NegotiateResponse::kUiRequired: return "ui_required";
    default: return "unknown";
  }
}

std::string AgentRoutes::ReasonOf(const proto::NegotiateResponse& r) {
  if (r.has_countered()) return r.countered().reason_code();
  if (r.has_rejected()) return r.rejected().reason_code();
  return "";
}

void AgentRoutes::NegotiationOutcome(const std::shared_ptr<SignedCall>& call,
                                     const std::string& outcome, const std::string& reason) {
  if (call->trace) {
    call->trace->span.SetAttribute("aura.outcome", outcome);
    if (!reason.empty()) call->trace->span.SetAttribute("aura.reason_code", reason);
  }
  if (deps_.negotiation_outcome) deps_.negotiation_outcome(outcome);
}

void AgentRoutes::Search(std::shared_ptr<SignedCall> call, HttpResponder responder) {
  auto body = ValidateSearchBody(call->body ? &*call->body : nullptr);
  if (!body.ok()) {
    Finish(call, std::move(responder), ValidationErrorResponse(body.errors));
    return;
  }
  proto::SearchRequest req;
  req.set_query(body.value.query);
  req.set_limit(body.value.limit);
  req.set_min_similarity(body.value.min_similarity);
  auto shared_responder = std::make_shared<HttpResponder>(std::move(responder));
  deps_.core->Search(
      req, {.request_id = call->request_id},
      [this, call, shared_responder](const grpc::Status& status, proto::SearchResponse&& resp) {
        common::ScopedRequestId rid(call->request_id);
        if (!status.ok()) {
          AURA_LOG_WARNING("core.call_failed")
              .With("rpc", "Search")
              .With("code", static_cast<int>(status.error_code()))
              .With("error", status.error_message());
          Finish(call, std::move(*shared_responder), CoreErrorResponse(status));
          return;
        }
        Finish(call, std::move(*shared_responder), HttpResponse::Json(200, SearchJson(resp)));
      });
}

void AgentRoutes::DealStatus(std::shared_ptr<SignedCall> call, HttpResponder responder) {
  if (!IsUuid(call->deal_id)) {
    Finish(call, std::move(responder), HttpResponse::Error(400, "Invalid deal_id format"));
    return;
  }
  proto::CheckDealStatusRequest req;
  req.set_deal_id(call->deal_id);
  auto shared_responder = std::make_shared<HttpResponder>(std::move(responder));
  deps_.core->CheckDealStatus(
      req, {.request_id = call->request_id},
      [this, call, shared_responder](const grpc::Status& status,
                                     proto::CheckDealStatusResponse&& resp) {
        common::ScopedRequestId rid(call->request_id);
        if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
          Finish(call, std::move(*shared_responder),
                 HttpResponse::Error(501, "Crypto payments not enabled"));
          return;
        }
        if (!status.ok()) {
          Finish(call, std::move(*shared_responder), CoreErrorResponse(status));
          return;
        }
        Finish(call, std::move(*shared_responder), HttpResponse::Json(200, DealStatusJson(resp)));
      });
}

void AgentRoutes::SystemStatus(HttpRequest& request, HttpResponder responder) {
  auto shared_responder = std::make_shared<HttpResponder>(std::move(responder));
  std::string request_id = request.request_id;
  deps_.core->GetSystemStatus(
      {.request_id = request_id},
      [shared_responder, request_id](const grpc::Status& status,
                                     proto::GetSystemStatusResponse&& resp) {
        common::ScopedRequestId rid(request_id);
        if (!status.ok()) {
          std::move(*shared_responder).Send(CoreErrorResponse(status));
          return;
        }
        std::move(*shared_responder).Send(HttpResponse::Json(200, SystemStatusJson(resp)));
      });
}

}  // namespace aura::gateway
