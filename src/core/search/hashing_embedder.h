// File: core/search/hashing_embedder.h
//
// HashingEmbedder: the fallback when the word vectors file is absent. Each
// word and each character trigram of the word (with boundary marks, "<sea",
// "sea", "ea>") is hashed to one of `dimensions` buckets with a hashed sign
// (the "hashing trick"); words count 1, a word's trigrams share 1 between
// them, and a short list of English function words is skipped. The result is
// normalised. It knows no synonyms — "cheap" and "inexpensive" share nothing —
// but matches shared words and their inflections ("villas" ~ "villa"), needs
// no files and works for any language.
//
//   HashingEmbedder embedder({.dimensions = 512});
//   auto v = embedder.Embed("sea view villa");
//
// Thread-safe (stateless).
#pragma once

#include <string>
#include <vector>

#include "core/search/embedder.h"

namespace aura::core::search {

struct HashingEmbedderOptions {
  int dimensions = 512;
};

class HashingEmbedder final : public Embedder {
 public:
  explicit HashingEmbedder(HashingEmbedderOptions options = {});

  Result<std::vector<float>> Embed(const std::string& text) override;
  std::string ModelName() const override;
  int Dimensions() const override { return options_.dimensions; }

 private:
  HashingEmbedderOptions options_;
};

}  // namespace aura::core::search
