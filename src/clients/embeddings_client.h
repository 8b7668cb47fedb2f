// File: clients/embeddings_client.h
//
// EmbeddingsClient: an OpenAI-compatible embeddings client
// (POST <base_url>/embeddings with {"model", "input": [...]}) for
// mistral-embed and compatible servers. Inputs are sent in batches of at most
// `max_batch`; vectors come back in input order (the response's `index`
// decides, not its order). It owns its HttpClient and CircuitBreaker, so
// deadlines, retries on 429/5xx/connection errors and breaking all apply; one
// deadline bounds all batches of a call.
//
//   auto client = MakeEmbeddingsClient(config, "mistral/mistral-embed");
//   Result<std::vector<std::vector<float>>> v =
//       (*client)->Embed({"sea view room", "mountain cabin"}, Deadline::After(10s));
//
// Errors: as ChatClient::Complete (see chat_client.h), plus INTERNAL when the
// response has the wrong number of vectors, vectors of different sizes or a
// missing index.
//
// Each HTTP request is one client span "embeddings <model>" with the GenAI
// attributes (gen_ai.operation.name, gen_ai.system, gen_ai.request.model,
// gen_ai.usage.input_tokens, server.address, aura.embeddings.inputs) and, with
// `api.metrics` set, one observation of the aura_llm_* families under
// operation "embeddings".
//
// Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clients/chat_client.h"

namespace aura::clients {

struct EmbeddingsClientOptions {
  ApiClientOptions api;
  // Inputs per HTTP request.
  size_t max_batch = 64;
};

class EmbeddingsClient {
 public:
  explicit EmbeddingsClient(EmbeddingsClientOptions options);
  EmbeddingsClient(const EmbeddingsClient&) = delete;
  EmbeddingsClient& operator=(const EmbeddingsClient&) = delete;

  // One vector per input, in input order. An empty input list returns an
  // empty list without a call.
  common::Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& inputs,
                                                        Deadline deadline);

  const ProviderEndpoint& endpoint() const { return options_.api.endpoint; }
  const CircuitBreaker& breaker() const { return breaker_; }
  HttpClientStats http_stats() const { return http_.stats(); }
  // Tokens the provider reported, summed over all calls.
  int64_t total_tokens() const;

 private:
  common::Status EmbedBatchOnce(const std::vector<std::string>& inputs, size_t begin, size_t end,
                                Deadline deadline, std::vector<std::vector<float>>& out,
                                int64_t& tokens);
  common::Status EmbedBatch(const std::vector<std::string>& inputs, size_t begin, size_t end,
                            Deadline deadline, std::vector<std::vector<float>>& out);

  EmbeddingsClientOptions options_;
  CircuitBreaker breaker_;
  HttpClient http_;
  common::LlmMetrics::Call* metrics_ = nullptr;
  telemetry::Tracer tracer_{"aura.clients"};
  mutable std::mutex mu_;
  int64_t total_tokens_ = 0;  // guarded by mu_
};

// Builds the client for `model_name` ("mistral/mistral-embed", "openai/…",
// "ollama/…") with the keys and base URL of config.llm. Errors as
// ResolveProvider.
common::Result<std::unique_ptr<EmbeddingsClient>> MakeEmbeddingsClient(
    const common::Config& config, std::string_view model_name,
    EmbeddingsClientOptions overrides = {});

}  // namespace aura::clients
