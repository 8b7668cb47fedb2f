// File: core/search/embedder.h
//
// Embedder: turns text into a fixed-length vector whose cosine similarity to
// another text's vector says how close their meanings are. Three
// implementations sit behind this interface:
//   - WordVectorEmbedder (word_vector_embedder.h): the embedded default, local
//     English word vectors averaged with smooth-inverse-frequency weights;
//   - HashingEmbedder (hashing_embedder.h): feature hashing of words and
//     character n-grams, used when the word vectors file is absent;
//   - RemoteEmbedder (remote_embedder.h): an OpenAI-compatible embeddings API.
// MakeEmbedder (embedder_factory.h) picks one from the options.
//
//   AURA_ASSIGN_OR_RETURN(std::vector<float> v, embedder.Embed("cheap hostel"));
//   float cos = Dot(Normalized(v), Normalized(w));
//
// Vectors are returned L2-normalised, or all zeros when the text has no word
// the embedder knows (callers treat a zero vector as "no meaning").
//
// Implementations are thread-safe. Status codes: INVALID_ARGUMENT for a text
// the embedder refuses (too long for a remote API), UNAVAILABLE /
// DEADLINE_EXCEEDED when a remote embedder cannot be reached.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace aura::core::search {

using common::Result;
using common::Status;

class TermSource;  // term_reranker.h

class Embedder {
 public:
  virtual ~Embedder() = default;
  Embedder() = default;
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;

  // One text's embedding (Dimensions() floats, unit length or all zeros).
  virtual Result<std::vector<float>> Embed(const std::string& text) = 0;
  // Embeddings of many texts, in order. Remote embedders send them in batches.
  virtual Result<std::vector<std::vector<float>>> EmbedBatch(const std::vector<std::string>& texts);
  // Identifies the model and its version; recorded with every stored embedding
  // so a change of model (or of this code's weighting) re-embeds the inventory.
  virtual std::string ModelName() const = 0;
  // Length of the vectors; 0 while unknown (a remote model before its first answer).
  virtual int Dimensions() const = 0;
  // The embedder's words for search's re-ranking stage (term_reranker.h), or
  // null when it has none (hashing, remote): search then ranks by cosine alone.
  virtual const TermSource* WordTerms() const { return nullptr; }
};

// Dot product of two equally long vectors.
float Dot(std::span<const float> a, std::span<const float> b) noexcept;
// Scales v to unit length in place; leaves an all-zero vector alone. Returns
// the original length.
float NormalizeInPlace(std::vector<float>& v) noexcept;
// True when every component is zero.
bool IsZero(std::span<const float> v) noexcept;

}  // namespace aura::core::search
