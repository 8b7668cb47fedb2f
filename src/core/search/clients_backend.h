// File: core/search/clients_backend.h
//
// The remote embedder's connection to the outbound clients module: adapts
// clients::EmbeddingsClient (OpenAI-compatible POST /embeddings with
// deadlines, retries and a circuit breaker) to EmbeddingsBackend, and gives
// SearchService::Create the factory it needs for a remote model. Its own
// library (aura::search_remote) so that aura::search does not pull in libcurl.
//
//   AURA_ASSIGN_OR_RETURN(auto search,
//       SearchService::Create(options, store, SystemClock::Instance(),
//                             MakeClientEmbeddingsBackendFactory(config)));
//
// A model name without a provider prefix is a Mistral model
// ("mistral-embed" -> "mistral/mistral-embed"); "openai/…" and "ollama/…"
// pick those providers. Keys and base URL come from config.llm.
//
// Thread-safe. Status codes: those of clients::MakeEmbeddingsClient (for the
// factory) and EmbeddingsClient::Embed (UNAVAILABLE, DEADLINE_EXCEEDED, ...).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "clients/embeddings_client.h"
#include "common/config/config.h"
#include "core/search/embedder_factory.h"
#include "core/search/remote_embedder.h"

namespace aura::core::search {

class ClientEmbeddingsBackend final : public EmbeddingsBackend {
 public:
  // Each Embed call gets `timeout` for all of its batches.
  ClientEmbeddingsBackend(std::unique_ptr<clients::EmbeddingsClient> client,
                          std::chrono::milliseconds timeout);
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& inputs) override;

 private:
  std::unique_ptr<clients::EmbeddingsClient> client_;
  std::chrono::milliseconds timeout_;
};

// "mistral-embed" -> "mistral/mistral-embed"; names with a prefix unchanged.
std::string QualifiedEmbeddingModel(const std::string& model);

// Builds ClientEmbeddingsBackend for a model with config.llm's keys, base URL
// and timeout. `config` is copied.
EmbeddingsBackendFactory MakeClientEmbeddingsBackendFactory(const common::Config& config);

}  // namespace aura::core::search
