// File: common/metrics/instruments.h
//
// The hive's request families, named once here so dashboards, alert rules and
// docs can rely on them. Each component builds the struct for its area at
// construction and keeps the returned handles; recording through a handle is
// lock-free. Label sets are bounded: route templates (never raw paths),
// method names, status classes, canonical gRPC codes, statement operations.
//
//   HttpServerMetrics http(registry);
//   HttpServerMetrics::Route& negotiate = http.ForRoute("POST", "/v1/negotiate");  // at start-up
//   negotiate.Record(200, 0.0021);                                                  // per request
//
//   aura_http_server_requests_total{method,route,status_class}     counter
//   aura_http_server_request_duration_seconds{method,route}         histogram
//   aura_grpc_server_handled_total{method,code}                     counter   (core)
//   aura_grpc_server_request_duration_seconds{method}               histogram (core)
//   aura_grpc_client_handled_total{method,code}                     counter   (gateway → core)
//   aura_grpc_client_request_duration_seconds{method}               histogram (gateway → core)
//   aura_db_client_operations_total{system,operation,outcome}       counter   (sqlite, postgresql, redis)
//   aura_db_client_operation_duration_seconds{system,operation}     histogram
//   aura_llm_requests_total{model,operation,outcome}                counter   (chat, embeddings)
//   aura_llm_request_duration_seconds{model,operation}              histogram
//   aura_llm_tokens_total{model,direction}                          counter   (input, output)
//   aura_negotiation_outcomes_total{outcome,reason}                 counter
//   aura_ratelimit_rejections_total                                 counter
//   aura_auth_signature_failures_total{reason}                      counter
//
// Thread-safe.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/metrics/metrics.h"

namespace aura::common {

// "2xx" for 204, and so on; "5xx" for anything out of range.
const char* StatusClass(int http_status) noexcept;

class HttpServerMetrics {
 public:
  struct Route {
    std::array<prometheus::Counter*, 5> by_class{};  // 1xx..5xx
    LatencyHistogram* duration = nullptr;
    void Record(int http_status, double seconds) noexcept;
  };
  explicit HttpServerMetrics(MetricsRegistry& registry);
  // Handles for one route template and method; stable for the object's life.
  Route& ForRoute(const std::string& method, const std::string& route);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  HistogramFamily& duration_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Route>> routes_;
};

// gRPC calls on the server (kind "server") or client ("client") side.
class GrpcMetrics {
 public:
  struct Method {
    std::array<prometheus::Counter*, 17> by_code{};  // canonical codes 0..16
    LatencyHistogram* duration = nullptr;
    void Record(int grpc_code, double seconds) noexcept;
  };
  GrpcMetrics(MetricsRegistry& registry, const std::string& kind);
  // `method` is the short name, e.g. "Negotiate".
  Method& ForMethod(const std::string& method);

 private:
  prometheus::Family<prometheus::Counter>& handled_;
  HistogramFamily& duration_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Method>> methods_;
};

// Database and cache calls: SQL statements and Redis commands.
class DbClientMetrics {
 public:
  struct Operation {
    prometheus::Counter* ok = nullptr;
    prometheus::Counter* error = nullptr;
    LatencyHistogram* duration = nullptr;
    void Record(bool success, double seconds) noexcept;
  };
  explicit DbClientMetrics(MetricsRegistry& registry);
  // system: "sqlite", "postgresql", "redis"; operation: "SELECT", "INSERT", "GET"...
  Operation& For(const std::string& system, const std::string& operation);

 private:
  prometheus::Family<prometheus::Counter>& operations_;
  HistogramFamily& duration_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Operation>> ops_;
};

// LLM and embedding calls.
class LlmMetrics {
 public:
  struct Call {
    prometheus::Counter* ok = nullptr;
    prometheus::Counter* error = nullptr;
    prometheus::Counter* fallback = nullptr;
    prometheus::Counter* input_tokens = nullptr;
    prometheus::Counter* output_tokens = nullptr;
    LatencyHistogram* duration = nullptr;
  };
  explicit LlmMetrics(MetricsRegistry& registry);
  // operation: "chat" or "embeddings".
  Call& For(const std::string& model, const std::string& operation);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& tokens_;
  HistogramFamily& duration_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Call>> calls_;
};

// Business outcomes and rejections.
class NegotiationMetrics {
 public:
  explicit NegotiationMetrics(MetricsRegistry& registry);
  // outcome: accepted/countered/rejected/ui_required; reason: reason code or "".
  void Outcome(const std::string& outcome, const std::string& reason);

 private:
  prometheus::Family<prometheus::Counter>& outcomes_;
  // Filled in the constructor, then only read: no lock needed.
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> known_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> others_;
};

class GatewayAuthMetrics {
 public:
  explicit GatewayAuthMetrics(MetricsRegistry& registry);
  void RateLimited() noexcept { rate_limited_.Increment(); }
  // reason: missing_header, invalid_did, invalid_timestamp, stale_timestamp,
  // invalid_signature_encoding, invalid_signature (others are accepted too).
  void SignatureFailure(const std::string& reason);

 private:
  prometheus::Counter& rate_limited_;
  prometheus::Family<prometheus::Counter>& signature_failures_;
  // Filled in the constructor, then only read: no lock needed.
  std::map<std::string, prometheus::Counter*> known_;
  std::mutex mu_;
  std::map<std::string, prometheus::Counter*> failures_;
};

}  // namespace aura::common
