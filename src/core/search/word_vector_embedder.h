// File: core/search/word_vector_embedder.h
//
// WordVectorEmbedder: the embedded default. A text's embedding is the
// smooth-inverse-frequency (SIF) weighted average of its words' vectors:
//
//   v(text) = normalise( Σ_w  a / (a + p(w)) · vec(w) )
//
// where p(w) is the word's unigram probability. The vectors file has no
// counts, only frequency ranks, so p is estimated from the rank with Zipf's
// law, p(r) = 1 / ((r + 1) · H_N) with H_N ≈ ln N + γ for a vocabulary of N
// words. Frequent words ("the", "for", "with") get weights near 0 and rare,
// meaningful words weights near 1, which does what a stop-word list would do
// without one. Words missing from the vocabulary are looked up again with
// light stemming (possessives, plural and -ing/-ed/-ly suffixes, hyphenated
// parts); words still unknown are skipped, and a text with no known word gets
// an all-zero vector.
//
// The SIF paper also removes the first principal component of a corpus of
// sentence embeddings. Computing it on the inventory would make every stored
// embedding depend on the rest of the inventory (and a few dozen items give a
// noisy estimate), so we remove a fixed direction instead: the first principal
// component of the SIF-weighted vectors of the 5 000 most frequent words,
// computed once when the embedder is built (~10 ms). It removes the shared
// "generic English" direction that made a few bland items come up for every
// query; on the labelled set it lifts Recall@3 from 0.87 to 0.94 (docs/search.md).
//
//   AURA_ASSIGN_OR_RETURN(auto wv, WordVectors::Open(path));
//   WordVectorEmbedder embedder(std::move(wv));
//   auto v = embedder.Embed("inexpensive lodging for surfers");
//
// Thread-safe (immutable after construction).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/search/embedder.h"
#include "core/search/term_reranker.h"
#include "core/search/word_vectors.h"

namespace aura::core::search {

struct WordVectorEmbedderOptions {
  // The SIF smoothing constant a: smaller favours rare words more strongly.
  float sif_a = 3e-4f;
  // When > 0: remove from every embedding its projection on the first
  // principal component of the SIF-weighted vectors of the this many most
  // frequent words (a fixed "common discourse" direction of the vocabulary).
  int common_component_words = 5000;
};

class WordVectorEmbedder final : public Embedder, public TermSource {
 public:
  explicit WordVectorEmbedder(std::unique_ptr<WordVectors> vectors,
                              WordVectorEmbedderOptions options = {});

  Result<std::vector<float>> Embed(const std::string& text) override;
  std::string ModelName() const override;
  int Dimensions() const override { return vectors_->Dimensions(); }
  const TermSource* WordTerms() const override { return this; }

  // TermSource: the text's distinct resolved words with their SIF weights, and
  // their unit vectors, for search's re-ranking stage.
  std::vector<Term> Terms(std::string_view text) const override;
  int TermDimensions() const override { return vectors_->Dimensions(); }
  void TermUnitVector(int32_t word, float* out) const override;

  // The vocabulary entries a token resolves to (after fallbacks); empty when
  // unknown. Exposed for tests and the eval tool.
  std::vector<int32_t> Resolve(const std::string& token) const;
  // The SIF weight of a vocabulary entry.
  float Weight(int32_t index) const;

 private:
  std::vector<float> CommonComponent() const;

  std::unique_ptr<WordVectors> vectors_;
  WordVectorEmbedderOptions options_;
  double harmonic_;  // H_N for the source vocabulary
  std::vector<float> common_;  // unit vector to project out; empty = none
};

}  // namespace aura::core::search
