// File: clients/chat_client.h
//
// ChatClient: an OpenAI-compatible chat-completions client
// (POST <base_url>/chat/completions) for Mistral, OpenAI, Ollama or any
// compatible server. It owns its HttpClient and CircuitBreaker, so deadlines,
// retries on 429/5xx/connection errors and breaking all apply.
//
//   auto chat = MakeChatClient(config);             // Result<unique_ptr<ChatClient>>
//   ChatRequest req{.messages = {{"system", "..."}, {"user", "..."}}, .json_object = true};
//   Result<ChatResponse> r = (*chat)->Complete(req, Deadline::After(config.llm.timeout));
//   // r->content, r->finish_reason, r->usage.total_tokens
//
// Errors from Complete:
//   DEADLINE_EXCEEDED   — the deadline passed;
//   UNAVAILABLE         — connection failures or 5xx after retries, or the
//                         circuit breaker is open;
//   RESOURCE_EXHAUSTED  — 429 after retries;
//   PERMISSION_DENIED / UNAUTHENTICATED — 403 / 401 (a wrong key);
//   INVALID_ARGUMENT    — another 4xx;
//   INTERNAL            — a 2xx whose body is not a chat completion.
// Messages never contain the API key or request headers.
//
// Each call is one client span "chat <model>" (OpenTelemetry GenAI
// conventions: gen_ai.operation.name, gen_ai.system, gen_ai.request.model,
// gen_ai.usage.input_tokens/output_tokens, gen_ai.response.finish_reasons,
// server.address; never the key, prompt or answer) and, when `metrics` is set,
// one observation of aura_llm_requests_total / _request_duration_seconds /
// aura_llm_tokens_total under the label `metrics_model`.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "clients/circuit_breaker.h"
#include "clients/http_client.h"
#include "clients/provider.h"
#include "common/config/config.h"
#include "common/metrics/instruments.h"
#include "common/status.h"
#include "telemetry/api/tracer.h"

namespace aura::clients {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;

  friend bool operator==(const ChatMessage&, const ChatMessage&) = default;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  double temperature = 0.2;
  // Asks for response_format {"type": "json_object"}.
  bool json_object = false;
  // 0 = let the server decide.
  int max_tokens = 0;
};

struct TokenUsage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total_tokens = 0;
};

struct ChatResponse {
  std::string content;        // the first choice's message content
  std::string finish_reason;  // "stop", "length", ... ("" when absent)
  std::string model;          // as the server reports it
  TokenUsage usage;
  int attempts = 0;  // HTTP attempts the call took
};

// Options shared by ChatClient and EmbeddingsClient.
struct ApiClientOptions {
  ProviderEndpoint endpoint;
  // Retries, per-attempt and connect timeouts; `breaker` is ignored (the
  // client owns its breaker, configured below).
  HttpClientOptions http;
  CircuitBreakerOptions breaker;
  // Optional; not owned, must outlive the client.
  common::LlmMetrics* metrics = nullptr;
  // The `model` label of the metrics and the span (the configured name with
  // its provider prefix); empty = "<provider>/<endpoint.model>".
  std::string metrics_model;
};

// The label ApiClientOptions::metrics_model defaults to.
std::string ModelLabel(const ApiClientOptions& options);

class ChatClient {
 public:
  explicit ChatClient(ApiClientOptions options);
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;

  // One chat completion within `deadline`; see the file comment for errors.
  common::Result<ChatResponse> Complete(const ChatRequest& request, Deadline deadline);

  const ProviderEndpoint& endpoint() const { return options_.endpoint; }
  // Observable breaker state (closed/open/half-open) and its counters.
  const CircuitBreaker& breaker() const { return breaker_; }
  HttpClientStats http_stats() const { return http_.stats(); }

 private:
  common::Result<ChatResponse> CompleteOnce(const ChatRequest& request, Deadline deadline);

  ApiClientOptions options_;
  CircuitBreaker breaker_;
  HttpClient http_;
  std::string model_label_;
  common::LlmMetrics::Call* metrics_ = nullptr;
  telemetry::Tracer tracer_{"aura.clients"};
};

// "host:port" of a URL (no credentials, path or query), for span attributes.
std::string ServerAddress(std::string_view url);

// Maps a final non-2xx HTTP status to a Status whose message names `what`
// and the status (never the body, which may echo the request).
common::Status StatusFromHttp(int status, std::string_view what);

// Builds the chat client for config.llm.model (which must not be "rule"),
// with the timeout config.llm.timeout as each attempt's bound. Errors as
// ResolveProvider.
common::Result<std::unique_ptr<ChatClient>> MakeChatClient(const common::Config& config,
                                                           ApiClientOptions overrides = {});

}  // namespace aura::clients
