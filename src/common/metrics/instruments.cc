#include "common/metrics/instruments.h"

namespace aura::common {
namespace {

constexpr std::array<const char*, 17> kGrpcCodeNames = {
    "OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",       "DATA_LOSS",        "UNAUTHENTICATED"};

}  // namespace

const char* StatusClass(int http_status) noexcept {
  switch (http_status / 100) {
    case 1: return "1xx";
    case 2: return "2xx";
    case 3: return "3xx";
    case 4: return "4xx";
    default: return "5xx";
  }
}

void HttpServerMetrics::Route::Record(int http_status, double seconds) noexcept {
  int cls = http_status / 100;
  if (cls < 1 || cls > 5) cls = 5;
  by_class[static_cast<size_t>(cls - 1)]->Increment();
  duration->Observe(seconds);
}

HttpServerMetrics::HttpServerMetrics(MetricsRegistry& registry)
    : requests_(registry.Counter("aura_http_server_requests_total",
                                 "HTTP requests answered, by route template, method and status class.")),
      duration_(registry.Histogram("aura_http_server_request_duration_seconds",
                                   "Time from a request's arrival to its response, by route template and method.")) {}

HttpServerMetrics::Route& HttpServerMetrics::ForRoute(const std::string& method, const std::string& route) {
  std::lock_guard lock(mu_);
  auto& slot = routes_[{method, route}];
  if (!slot) {
    slot = std::make_unique<Route>();
    for (int cls = 1; cls <= 5; ++cls) {
      slot->by_class[static_cast<size_t>(cls - 1)] =
          &requests_.Add({{"method", method}, {"route", route}, {"status_class", StatusClass(cls * 100)}});
    }
    slot->duration = &duration_.Add({{"method", method}, {"route", route}});
  }
  return *slot;
}

void GrpcMetrics::Method::Record(int grpc_code, double seconds) noexcept {
  if (grpc_code < 0 || grpc_code > 16) grpc_code = 2;  // UNKNOWN
  by_code[static_cast<size_t>(grpc_code)]->Increment();
  duration->Observe(seconds);
}

GrpcMetrics::GrpcMetrics(MetricsRegistry& registry, const std::string& kind)
    : handled_(registry.Counter("aura_grpc_" + kind + "_handled_total",
                                "gRPC calls completed (" + kind + " side), by method and status code.")),
      duration_(registry.Histogram("aura_grpc_" + kind + "_request_duration_seconds",
                                   "gRPC call duration (" + kind + " side), by method.")) {}

GrpcMetrics::Method& GrpcMetrics::ForMethod(const std::string& method) {
  std::lock_guard lock(mu_);
  auto& slot = methods_[method];
  if (!slot) {
    slot = std::make_unique<Method>();
    for (size_t c = 0; c < kGrpcCodeNames.size(); ++c) {
      slot->by_code[c] = &handled_.Add({{"method", method}, {"code", kGrpcCodeNames[c]}});
    }
    slot->duration = &duration_.Add({{"method", method}});
  }
  return *slot;
}

void DbClientMetrics::Operation::Record(bool success, double seconds) noexcept {
  (success ? ok : error)->Increment();
  duration->Observe(seconds);
}

DbClientMetrics::DbClientMetrics(MetricsRegistry& registry)
    : operations_(registry.Counter("aura_db_client_operations_total",
                                   "Database and cache operations, by system, operation and outcome.")),
      duration_(registry.Histogram("aura_db_client_operation_duration_seconds",
                                   "Database and cache operation duration, by system and operation.")) {}

DbClientMetrics::Operation& DbClientMetrics::For(const std::string& system, const std::string& operation) {
  std::lock_guard lock(mu_);
  auto& slot = ops_[{system, operation}];
  if (!slot) {
    slot = std::make_unique<Operation>();
    slot->ok = &operations_.Add({{"system", system}, {"operation", operation}, {"outcome", "ok"}});
    slot->error = &operations_.Add({{"system", system}, {"operation", operation}, {"outcome", "error"}});
    slot->duration = &duration_.Add({{"system", system}, {"operation", operation}});
  }
  return *slot;
}

LlmMetrics::LlmMetrics(MetricsRegistry& registry)
    : requests_(registry.Counter("aura_llm_requests_total",
                                 "LLM and embedding calls, by model, operation and outcome (ok, error, fallback).")),
      tokens_(registry.Counter("aura_llm_tokens_total", "Tokens used, by model and direction (input, output).")),
      duration_(registry.Histogram("aura_llm_request_duration_seconds",
                                   "LLM and embedding call duration including retries, by model and operation.")) {}

LlmMetrics::Call& LlmMetrics::For(const std::string& model, const std::string& operation) {
  std::lock_guard lock(mu_);
  auto& slot = calls_[{model, operation}];
  if (!slot) {
    slot = std::make_unique<Call>();
    slot->ok = &requests_.Add({{"model", model}, {"operation", operation}, {"outcome", "ok"}});
    slot->error = &requests_.Add({{"model", model}, {"operation", operation}, {"outcome", "error"}});
    slot->fallback = &requests_.Add({{"model", model}, {"operation", operation}, {"outcome", "fallback"}});
    slot->input_tokens = &tokens_.Add({{"model", model}, {"direction", "input"}});
    slot->output_tokens = &tokens_.Add({{"model", model}, {"direction", "output"}});
    slot->duration = &duration_.Add({{"model", model}, {"operation", operation}});
  }
  return *slot;
}

NegotiationMetrics::NegotiationMetrics(MetricsRegistry& registry)
    : outcomes_(registry.Counter("aura_negotiation_outcomes_total",
                                 "Negotiation decisions, by outcome and reason code.")) {
  // The usual pairs exist from the start (at zero) and are read without a lock.
  for (auto [o, r] : std::initializer_list<std::pair<const char*, const char*>>{
           {"accepted", ""},
           {"countered", "BELOW_FLOOR"},
           {"countered", "COUNTER_OFFER"},
           {"rejected", "ITEM_NOT_FOUND"},
           {"rejected", "AI_ERROR"},
           {"ui_required", "high_value_confirm"}}) {
    known_[{o, r}] = &outcomes_.Add({{"outcome", o}, {"reason", r}});
  }
}

void NegotiationMetrics::Outcome(const std::string& outcome, const std::string& reason) {
  if (auto it = known_.find({outcome, reason}); it != known_.end()) {
    it->second->Increment();
    return;
  }
  std::lock_guard lock(mu_);
  auto& c = others_[{outcome, reason}];
  if (c == nullptr) c = &outcomes_.Add({{"outcome", outcome}, {"reason", reason}});
  c->Increment();
}

GatewayAuthMetrics::GatewayAuthMetrics(MetricsRegistry& registry)
    : rate_limited_(registry.Counter("aura_ratelimit_rejections_total",
                                     "Signed requests refused with 429 because the agent was over its rate limit.")
                        .Add({})),
      signature_failures_(registry.Counter("aura_auth_signature_failures_total",
                                           "Signed requests refused with 401, by reason.")) {
  for (const char* r : {"missing_header", "invalid_did", "invalid_timestamp", "stale_timestamp",
                        "invalid_signature_encoding", "invalid_signature"}) {
    known_[r] = &signature_failures_.Add({{"reason", r}});
  }
}

void GatewayAuthMetrics::SignatureFailure(const std::string& reason) {
  if (auto it = known_.find(reason); it != known_.end()) {
    it->second->Increment();
    return;
  }
  std::lock_guard lock(mu_);
  auto& c = failures_[reason];
  if (c == nullptr) c = &signature_failures_.Add({{"reason", reason}});
  c->Increment();
}

}  // namespace aura::common
