// File: gateway/gateway_server.h
//
// GatewayServer: the whole aura-gateway process minus main(): the HTTP server,
// the routes (DESIGN §3), the core client, the signature verifier, the replay
// guard and the rate limiter, wired together. Tests and `aura up` embed it.
//
//   GatewayServer gateway(GatewayOptionsFromConfig(config));
//   AURA_RETURN_IF_ERROR(gateway.Start());   // UNAVAILABLE: port in use
//   ... gateway.port() ...
//   gateway.Stop();                          // graceful, idempotent
//
// Routes: POST /v1/negotiate, POST /v1/search, POST /v1/deals/{deal_id}/status
// (signed, see routes/agent_routes.h), GET /v1/system/status, GET /healthz
// (always {"status":"ok"}), GET /readyz (200 ready / 503 not_ready after a
// grpc.health.v1 probe of the core with a 0.5 s deadline), GET /health
// (always 200, "healthy"/"degraded" with each dependency's state), GET
// /metrics (Prometheus text of metrics(): aura_http_server_*,
// aura_grpc_client_*, the auth and rate-limit counters, the vital signs,
// aura_gateway_negotiation_responses_total{outcome} and the connection
// counters), GET /hive (the hive page, web/hive/hive.html, compiled in).
//
// Tracing: every request gets an HTTP SERVER span "{METHOD} {route template}"
// continuing an incoming traceparent (see request_trace.h); the access log
// line is written inside it, so it carries trace_id/span_id.
//
// Cross-cutting, for every response: X-Request-ID (from the request when sane,
// else generated; also sent to the core as x-request-id and bound to log
// lines), CORS from cors_origins (preflight OPTIONS answered; a listed origin
// is echoed with credentials allowed; "*" allows any origin without
// credentials; an unlisted origin's preflight gets 400), and one info log line
// "http.request" with method, route template, status and duration_ms.
//
// Start never waits for the core: the gateway serves /healthz with the core
// down, answers core routes with 503, and recovers when the core is back.
//
// Thread-safe: Start/Stop/port may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/config/config.h"
#include "common/metrics/metrics.h"
#include "common/status.h"
#include "gateway/auth/replay_guard.h"
#include "gateway/ratelimit/rate_limiter.h"
#include "http/http_server.h"

namespace aura::gateway {

struct GatewayServerOptions {
  std::string bind_address = "0.0.0.0";
  int http_port = 8000;  // 0 = any free port (see port())
  int io_threads = 0;    // 0 = one per core
  size_t max_body_bytes = 64 * 1024;
  size_t max_header_bytes = 8 * 1024;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  int max_connections = 10000;
  // host:port of aura-core, the deadline of each call and of the health probe.
  std::string core_address = "localhost:50051";
  std::chrono::milliseconds core_timeout{5000};
  std::chrono::milliseconds health_timeout{500};
  std::vector<std::string> cors_origins;
  int rate_limit_per_minute = 100;
  // Shared rate limits and replay answers; empty = in-process.
  std::string redis_url;
  // Accepted |now - X-Timestamp|.
  std::chrono::seconds signature_skew{60};
  // Threads for Redis round trips (used only when redis_url is set).
  int blocking_threads = 4;
  // "Now" for signatures and limits; SystemClock when null.
  const common::Clock* clock = nullptr;
};

// The options config.gateway (and config.database.redis_url) describe.
GatewayServerOptions GatewayOptionsFromConfig(const common::Config& config);

// Replacements for the parts GatewayServer would otherwise make from the
// options (tests inject fakes or unique Redis prefixes here).
struct GatewayDependencies {
  std::unique_ptr<RateLimiter> rate_limiter;
  std::unique_ptr<ReplayGuard> replay_guard;
  // The body of GET /metrics (Prometheus text); called on an I/O thread, so it
  // must be quick and thread-safe. When set, the gateway appends its own
  // families after it; when null, /metrics serves those alone.
  std::function<std::string()> metrics_text;
  // The "telemetry" member of GET /health: one JSON object's text (e.g.
  // {"status":"ok","spans_exported":12,"spans_dropped":0}). Quick and
  // thread-safe; when null, /health says {"status":"not_configured"}.
  std::function<std::string()> telemetry_health_json;
};

class GatewayServer {
 public:
  explicit GatewayServer(GatewayServerOptions options, GatewayDependencies deps = {});
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // Adds a route (e.g. /debug/traces, /hive) served like the built-in ones
  // (X-Request-ID, CORS, access log). Only before Start().
  void AddRoute(std::string method, std::string route_template, http::HttpHandler handler);

  // Listens and serves. INVALID_ARGUMENT for a bad bind address, UNAVAILABLE
  // when the port cannot be bound. Does not contact the core.
  common::Status Start();
  // The process's metrics, served at GET /metrics (add families or OnCollect
  // hooks before Start()).
  common::MetricsRegistry& metrics() noexcept;
  // The bound HTTP port; 0 before Start.
  int port() const noexcept;
  // Stops accepting, finishes requests in flight for up to `grace`, cancels
  // outstanding core calls. Idempotent; run by the destructor.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace aura::gateway
