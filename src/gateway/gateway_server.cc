#include "gateway/gateway_server.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <mutex>

#include "common/log/log.h"
#include "common/metrics/instruments.h"
#include "common/metrics/metrics.h"
#include "common/metrics/vital_signs.h"
#include "gateway/internal/delta_counter.h"
#include "gateway/request_trace.h"
#include "telemetry/api/propagator.h"
#include "telemetry/api/tracer.h"
#include "gateway/auth/signature.h"
#include "gateway/core_client/core_client.h"
#include "gateway/internal/blocking_pool.h"
#include "gateway/json_writer.h"
#include "gateway/routes/agent_routes.h"
#include "http/http_server.h"
#include "http/router.h"

namespace aura::storage::internal {
// web/hive/hive.html, compiled in by src/storage/embed_file.cmake.
std::string_view GatewayHivePageHtml();
}  // namespace aura::storage::internal

namespace aura::gateway {

using http::HttpRequest;
using http::HttpResponder;
using http::HttpResponse;

GatewayServerOptions GatewayOptionsFromConfig(const common::Config& config) {
  GatewayServerOptions o;
  o.bind_address = config.gateway.bind_address;
  o.http_port = config.gateway.http_port;
  o.io_threads = config.gateway.io_threads;
  o.max_body_bytes = config.gateway.max_body_bytes;
  o.read_timeout = config.gateway.read_timeout;
  o.core_address = config.gateway.core_address;
  o.core_timeout = config.gateway.core_timeout;
  o.cors_origins = config.gateway.cors_origins;
  o.rate_limit_per_minute = config.gateway.rate_limit_per_minute;
  o.redis_url = config.database.redis_url;
  return o;
}

namespace {

constexpr std::string_view kKnownMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH",
                                              "HEAD", "OPTIONS"};

std::string_view MethodLabel(std::string_view method) {
  for (auto m : kKnownMethods) {
    if (m == method) return m;
  }
  return "_OTHER";
}

// Outcome counters of POST /v1/negotiate answers (the hive page charts them).
class NegotiationResponses {
 public:
  explicit NegotiationResponses(common::MetricsRegistry& registry)
      : family_(registry.Counter("aura_gateway_negotiation_responses_total",
                                 "Answers to POST /v1/negotiate by outcome.")) {
    for (const char* o : {"accepted", "countered", "rejected", "ui_required", "error"}) {
      known_[o] = &family_.Add({{"outcome", o}});
    }
  }
  void Count(const std::string& outcome) {
    if (auto it = known_.find(outcome); it != known_.end()) {
      it->second->Increment();
      return;
    }
    std::lock_guard lock(mu_);
    family_.Add({{"outcome", "unknown"}}).Increment();
  }

 private:
  prometheus::Family<prometheus::Counter>& family_;
  std::map<std::string, prometheus::Counter*> known_;  // filled once, then read only
  std::mutex mu_;
};

// The query string with the value of every sensitive-looking parameter
// (token, key, signature, ...) replaced, for url.query.
std::string RedactedQuery(std::string_view query) {
  std::string out;
  while (true) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out += pair;
    } else {
      out += pair.substr(0, eq + 1);
      out += telemetry::Redact(pair.substr(0, eq), pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

class GatewayServer::Impl {
 public:
  Impl(GatewayServerOptions o, GatewayDependencies deps)
      : options(std::move(o)),
        metrics_text(std::move(deps.metrics_text)),
        telemetry_health_json(std::move(deps.telemetry_health_json)),
        clock(options.clock ? options.clock : &common::SystemClock::Instance()),
        verifier(SignatureVerifierOptions{.skew = options.signature_skew}) {
    rate_limiter = deps.rate_limiter
                       ? std::move(deps.rate_limiter)
                       : MakeRateLimiter({.limit_per_minute = options.rate_limit_per_minute,
                                          .redis_url = options.redis_url});
    replay_guard = deps.replay_guard ? std::move(deps.replay_guard)
                                     : MakeReplayGuard({.redis_url = options.redis_url});
    bool needs_pool = rate_limiter->Backend() != "memory" || replay_guard->Backend() != "memory";
    if (needs_pool) {
      blocking = std::make_unique<internal::BlockingPool>(
          internal::BlockingPoolOptions{.threads = options.blocking_threads});
    }
    core = std::make_unique<CoreClient>(CoreClientOptions{.address = options.core_address,
                                                          .timeout = options.core_timeout,
                                                          .health_timeout = options.health_timeout,
                                                          .metrics = &grpc_metrics});
    agent_routes = std::make_unique<AgentRoutes>(AgentRoutesDeps{
        .core = core.get(),
        .verifier = &verifier,
        .replay_guard = replay_guard.get(),
        .rate_limiter = rate_limiter.get(),
        .blocking = blocking.get(),
        .clock = clock,
        .skew = options.signature_skew,
        .auth_metrics = &auth_metrics,
        .negotiation_outcome = [this](const std::string& o) { negotiation_responses.Count(o); },
    });
    agent_routes->Register(router);
    for (const auto& [method, route] :
         {std::pair{"POST", "/v1/negotiate"}, {"POST", "/v1/search"},
          {"POST", "/v1/deals/{deal_id}/status"}, {"GET", "/v1/system/status"}}) {
      PrecreateRouteMetrics(method, route);
    }
    router.Add("GET", "/healthz", [](HttpRequest&, HttpResponder r) {
      std::move(r).Send(HttpResponse::Json(200, R"({"status":"ok"})"));
    });
    router.Add("GET", "/readyz", [this](HttpRequest& req, HttpResponder r) { Readyz(req, std::move(r)); });
    router.Add("GET", "/health", [this](HttpRequest& req, HttpResponder r) { Health(req, std::move(r)); });
    router.Add("GET", "/metrics", [this](HttpRequest&, HttpResponder r) { Metrics(std::move(r)); });
    router.Add("GET", "/hive", [](HttpRequest&, HttpResponder r) {
      std::move(r).Send(HttpResponse::Text(200, std::string(storage::internal::GatewayHivePageHtml()),
                                           "text/html; charset=utf-8"));
    });
    for (const char* route : {"/healthz", "/readyz", "/health", "/metrics", "/hive"}) {
      PrecreateRouteMetrics("GET", route);
    }

    http::HttpServerOptions h;
    h.bind_address = options.bind_address;
    h.port = options.http_port;
    h.io_threads = options.io_threads;
    h.max_header_bytes = options.max_header_bytes;
    h.max_body_bytes = options.max_body_bytes;
    h.read_timeout = options.read_timeout;
    h.idle_timeout = options.idle_timeout;
    h.max_connections = options.max_connections;
    h.before_send = [this](const HttpRequest& req, HttpResponse& res) { AddCors(req, res); };
    h.on_response = [this](const HttpRequest& req, int status, std::chrono::nanoseconds d) {
      OnResponse(req, status, d);
    };
    server = std::make_unique<http::HttpServer>(
        std::move(h), [this](HttpRequest& req, HttpResponder r) { Handle(req, std::move(r)); });
    connections_open = &registry.Gauge("aura_gateway_http_connections_open", "Open client connections.").Add({});
    connections_accepted = std::make_unique<internal::DeltaCounter>(
        registry.Counter("aura_gateway_http_connections_accepted_total", "Client connections accepted.").Add({}));
    connections_rejected = std::make_unique<internal::DeltaCounter>(
        registry.Counter("aura_gateway_http_connections_rejected_total",
                         "Connections refused over the connection limit.").Add({}));
    read_timeouts = std::make_unique<internal::DeltaCounter>(
        registry.Counter("aura_gateway_http_read_timeouts_total",
                         "Requests closed after the read timeout.").Add({}));
    registry.OnCollect([this] {
      http::HttpServerStats s = server->stats();
      connections_open->Set(static_cast<double>(s.connections_open));
      connections_accepted->Sync(s.connections_accepted);
      connections_rejected->Sync(s.connections_rejected);
      read_timeouts->Sync(s.read_timeouts);
    });
  }

  // The request-count and duration series of a route exist from the start
  // (so dashboards see zeros rather than gaps). Only before Start().
  void PrecreateRouteMetrics(const std::string& method, const std::string& route) {
    route_metrics[{method, route}] = &http_metrics.ForRoute(method, route);
  }

  // Starts the request's SERVER span, continuing an incoming traceparent.
  void StartServerSpan(HttpRequest& req) {
    auto trace = std::make_shared<RequestTrace>();
    telemetry::HeaderMapCarrier carrier(req.headers);
    telemetry::Context parent = telemetry::ExtractContext(carrier);
    std::string_view route = router.MatchTemplate(req.path);
    std::string_view method = MethodLabel(req.method);
    thread_local std::string name;  // kept: "POST /v1/negotiate" is past the short-string buffer
    name.assign(method == "_OTHER" ? std::string_view("HTTP") : method);
    if (!route.empty()) name.append(" ").append(route);
    trace->span = tracer.StartSpan(name, {.kind = telemetry::SpanKind::kServer,
                                          .parent = &parent.span_context});
    trace->span.SetAttribute("http.request.method", method)
        .SetAttribute("url.path", req.path)
        .SetAttribute("url.scheme", "http");
    if (method == "_OTHER") trace->span.SetAttribute("http.request.method_original", req.method);
    if (!req.query.empty()) trace->span.SetAttribute("url.query", RedactedQuery(req.query));
    if (!route.empty()) trace->span.SetAttribute("http.route", route);
    trace->context = parent.WithSpanContext(trace->span.context());
    req.extension = std::move(trace);
  }

  void Handle(HttpRequest& req, HttpResponder responder) {
    StartServerSpan(req);
    telemetry::Scope scope(TraceOf(req)->span);
    if (req.method == "OPTIONS" && req.Header("origin") &&
        req.Header("access-control-request-method")) {
      Preflight(req, std::move(responder));
      return;
    }
    router.Dispatch(req, std::move(responder));
  }

  // The Access-Control-Allow-Origin value for `origin` ("" = not allowed), and
  // whether credentials are allowed with it.
  std::pair<std::string, bool> CorsFor(std::string_view origin) const {
    bool any = false;
    for (const auto& o : options.cors_origins) {
      if (o == origin) return {std::string(origin), true};
      if (o == "*") any = true;
    }
    if (any) return {"*", false};
    return {"", false};
  }

  void Preflight(HttpRequest& req, HttpResponder responder) {
    req.route = std::string(router.MatchTemplate(req.path));
    auto [allow, credentials] = CorsFor(*req.Header("origin"));
    if (allow.empty()) {
      std::move(responder).Send(HttpResponse::Error(400, "Disallowed CORS origin"));
      return;
    }
    HttpResponse res = HttpResponse::Text(200, "OK");
    res.SetHeader("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
    res.SetHeader("Access-Control-Max-Age", "600");
    if (auto h = req.Header("access-control-request-headers"); h && !h->empty()) {
      res.SetHeader("Access-Control-Allow-Headers", std::string(*h));
    }
    std::move(responder).Send(std::move(res));
  }

  void AddCors(const HttpRequest& req, HttpResponse& res) const {
    auto origin = req.Header("origin");
    if (!origin || options.cors_origins.empty()) return;
    auto [allow, credentials] = CorsFor(*origin);
    if (allow.empty()) return;
    res.SetHeader("Access-Control-Allow-Origin", allow);
    if (credentials) {
      res.SetHeader("Access-Control-Allow-Credentials", "true");
      res.SetHeader("Vary", "Origin");
    }
    res.SetHeader("Access-Control-Expose-Headers",
                  "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, "
                  "Retry-After");
  }

  void OnResponse(const HttpRequest& req, int status, std::chrono::nanoseconds d) {
    std::string route = req.route.empty() ? std::string("unmatched") : req.route;
    std::string method = std::string(req.method.empty() ? std::string_view("_OTHER") : MethodLabel(req.method));
    double seconds = std::chrono::duration<double>(d).count();
    if (auto it = route_metrics.find({method, route}); it != route_metrics.end()) {
      it->second->Record(status, seconds);
    } else {
      http_metrics.ForRoute(method, route).Record(status, seconds);
    }
    RequestTrace* trace = TraceOf(req);
    std::optional<telemetry::Scope> scope;
    if (trace != nullptr) scope.emplace(trace->span);
    double ms = seconds * 1000.0;
    AURA_LOG_INFO("http.request")
        .With("method", method)
        .With("route", route)
        .With("status", status)
        .With("duration_ms", std::round(ms * 1000.0) / 1000.0);
    if (trace != nullptr) {
      trace->span.SetAttribute("http.response.status_code", status);
      if (status >= 500) {
        trace->span.SetStatus(telemetry::StatusCode::kError)
            .SetAttribute("error.type", std::to_string(status));
      }
      scope.reset();
      trace->span.End();
    }
  }

  static std::string DependencyState(bool degraded) { return degraded ? "degraded" : "ok"; }

  void Readyz(HttpRequest&, HttpResponder responder) {
    auto shared = std::make_shared<HttpResponder>(std::move(responder));
    core->CheckHealth([this, shared](const CoreHealth& h) {
      JsonWriter w;
      w.BeginObject().Key("status").String(h.serving ? "ready" : "not_ready");
      w.Key("dependencies").BeginObject();
      w.Key("core").String(h.serving ? "ok" : h.detail);
      w.Key("rate_limiter").String(DependencyState(rate_limiter->Degraded()));
      w.Key("replay_guard").String(DependencyState(replay_guard->Degraded()));
      w.EndObject().EndObject();
      std::move(*shared).Send(HttpResponse::Json(h.serving ? 200 : 503, std::move(w).Take()));
    });
  }

  void Health(HttpRequest&, HttpResponder responder) {
    auto shared = std::make_shared<HttpResponder>(std::move(responder));
    core->CheckHealth([this, shared](const CoreHealth& h) {
      bool limiter_degraded = rate_limiter->Degraded();
      bool guard_degraded = replay_guard->Degraded();
      bool healthy = h.serving && !limiter_degraded && !guard_degraded;
      JsonWriter w;
      w.BeginObject().Key("status").String(healthy ? "healthy" : "degraded");
      w.Key("dependencies").BeginObject();
      w.Key("core").BeginObject()
          .Key("status").String(h.serving ? "ok" : "unavailable")
          .Key("address").String(options.core_address)
          .Key("latency_ms").Double(std::round(h.latency.count() / 10.0) / 100.0)
          .Key("detail").String(h.detail)
          .EndObject();
      w.Key("rate_limiter").BeginObject()
          .Key("status").String(DependencyState(limiter_degraded))
          .Key("backend").String(rate_limiter->Backend())
          .EndObject();
      w.Key("replay_guard").BeginObject()
          .Key("status").String(DependencyState(guard_degraded))
          .Key("backend").String(replay_guard->Backend())
          .EndObject();
      w.EndObject();
      std::string telemetry;
      if (telemetry_health_json) {
        try {
          telemetry = telemetry_health_json();
        } catch (...) {
          telemetry = R"({"status":"error"})";
        }
      }
      w.Key("telemetry").Raw(telemetry.empty() ? R"({"status":"not_configured"})" : telemetry);
      w.EndObject();
      std::move(*shared).Send(HttpResponse::Json(200, std::move(w).Take()));
    });
  }

  void Metrics(HttpResponder responder) {
    std::string out;
    if (metrics_text) {
      try {
        out = metrics_text();
      } catch (...) {
        // A failing extra source must not cost the gateway's own families.
      }
      if (!out.empty() && out.back() != '\n') out.push_back('\n');
    }
    out += registry.Serialize();
    std::move(responder).Send(HttpResponse::Text(200, std::move(out), common::kMetricsContentType));
  }

  GatewayServerOptions options;
  // Metrics first: the core client and routes record into them.
  common::MetricsRegistry registry;
  common::HttpServerMetrics http_metrics{registry};
  common::GrpcMetrics grpc_metrics{registry, "client"};
  common::GatewayAuthMetrics auth_metrics{registry};
  common::VitalSigns vitals{registry};
  NegotiationResponses negotiation_responses{registry};
  // Filled before Start(), then only read.
  std::map<std::pair<std::string, std::string>, common::HttpServerMetrics::Route*> route_metrics;
  prometheus::Gauge* connections_open = nullptr;
  std::unique_ptr<internal::DeltaCounter> connections_accepted, connections_rejected, read_timeouts;
  telemetry::Tracer tracer{"aura.gateway"};
  std::function<std::string()> metrics_text;
  std::function<std::string()> telemetry_health_json;
  const common::Clock* clock;
  SignatureVerifier verifier;
  std::unique_ptr<RateLimiter> rate_limiter;
  std::unique_ptr<ReplayGuard> replay_guard;
  std::unique_ptr<CoreClient> core;
  std::unique_ptr<AgentRoutes> agent_routes;
  http::Router router;
  // Destroyed before the routes, core client and guards its queued tasks use.
  std::unique_ptr<internal::BlockingPool> blocking;
  std::unique_ptr<http::HttpServer> server;  // last: stopped and destroyed first
};

GatewayServer::GatewayServer(GatewayServerOptions options, GatewayDependencies deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(deps))) {}

GatewayServer::~GatewayServer() { Stop(std::chrono::milliseconds(2000)); }

common::Status GatewayServer::Start() {
  AURA_RETURN_IF_ERROR(impl_->server->Start());
  AURA_LOG_INFO("gateway.started")
      .With("port", impl_->server->port())
      .With("core_address", impl_->options.core_address)
      .With("rate_limiter", impl_->rate_limiter->Backend())
      .With("replay_guard", impl_->replay_guard->Backend());
  return common::OkStatus();
}

void GatewayServer::AddRoute(std::string method, std::string route_template,
                             http::HttpHandler handler) {
  impl_->PrecreateRouteMetrics(method, route_template);
  impl_->router.Add(std::move(method), std::move(route_template), std::move(handler));
}

common::MetricsRegistry& GatewayServer::metrics() noexcept { return impl_->registry; }

int GatewayServer::port() const noexcept { return impl_->server->port(); }

void GatewayServer::Stop(std::chrono::milliseconds grace) {
  impl_->server->Stop(grace);
  impl_->core->Shutdown();
}

}  // namespace aura::gateway
