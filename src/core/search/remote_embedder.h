// File: core/search/remote_embedder.h
//
// RemoteEmbedder: embeddings from an OpenAI-compatible API (`mistral-embed` by
// default) through an EmbeddingsBackend — the small interface search needs
// from the outbound clients module. clients_backend.h adapts
// clients::EmbeddingsClient to it; tests use a fake.
//
//   auto embedder = std::make_unique<RemoteEmbedder>(std::move(backend), "mistral-embed");
//   auto v = embedder->Embed("sea view room");   // one HTTP call (cached by search)
//
// Vectors are normalised here. Dimensions() is 0 until the first answer and
// then fixed: an answer of another size is INTERNAL.
//
// Thread-safe when the backend is.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/search/embedder.h"

namespace aura::core::search {

// What search needs from an embeddings API client. Thread-safe. Errors:
// UNAVAILABLE / DEADLINE_EXCEEDED when the API cannot be reached in time,
// INVALID_ARGUMENT for inputs the API refuses, INTERNAL for a malformed answer.
class EmbeddingsBackend {
 public:
  virtual ~EmbeddingsBackend() = default;
  // One vector per input, in input order.
  virtual Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& inputs) = 0;
};

class RemoteEmbedder final : public Embedder {
 public:
  // `model` is the name recorded with stored embeddings (e.g. "mistral-embed").
  RemoteEmbedder(std::unique_ptr<EmbeddingsBackend> backend, std::string model);

  Result<std::vector<float>> Embed(const std::string& text) override;
  Result<std::vector<std::vector<float>>> EmbedBatch(const std::vector<std::string>& texts) override;
  std::string ModelName() const override { return model_; }
  int Dimensions() const override { return dims_.load(std::memory_order_acquire); }

 private:
  std::unique_ptr<EmbeddingsBackend> backend_;
  std::string model_;
  std::atomic<int> dims_{0};
};

}  // namespace aura::core::search
