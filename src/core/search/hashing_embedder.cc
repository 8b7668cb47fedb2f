#include "core/search/hashing_embedder.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "core/search/text.h"
#include "core/search/word_vectors.h"

namespace aura::core::search {
namespace {

constexpr std::string_view kStopWords[] = {
    "a",    "an",   "and",  "are",  "as",   "at",   "be",   "by",   "for",  "from",
    "has",  "have", "i",    "in",   "is",   "it",   "its",  "me",   "my",   "of",
    "on",   "or",   "our",  "that", "the",  "this", "to",   "was",  "we",   "with",
    "you",  "your", "some", "any",  "want", "need", "looking", "find", "near", "very",
};

bool IsStopWord(std::string_view token) {
  return std::find(std::begin(kStopWords), std::end(kStopWords), token) != std::end(kStopWords);
}

}  // namespace

HashingEmbedder::HashingEmbedder(HashingEmbedderOptions options) : options_(options) {
  options_.dimensions = std::max(options_.dimensions, 8);
}

std::string HashingEmbedder::ModelName() const {
  return "hashing-v1-" + std::to_string(options_.dimensions);
}

Result<std::vector<float>> HashingEmbedder::Embed(const std::string& text) {
  const auto dims = static_cast<uint64_t>(options_.dimensions);
  std::vector<float> v(dims, 0.0f);
  auto add = [&](std::string_view feature, float weight) {
    const uint64_t h = Fnv1a64(feature);
    const float sign = (h >> 63) != 0 ? -1.0f : 1.0f;
    v[h % dims] += sign * weight;
  };
  std::string feature;
  for (const std::string& token : Tokenize(text)) {
    if (IsStopWord(token)) continue;
    feature = "w:" + token;
    add(feature, 1.0f);
    const std::string padded = "<" + token + ">";
    if (padded.size() < 3) continue;
    const size_t grams = padded.size() - 2;
    const float weight = 1.0f / std::sqrt(static_cast<float>(grams));
    for (size_t i = 0; i < grams; ++i) {
      feature = "g:";
      feature.append(padded, i, 3);
      add(feature, weight);
    }
  }
  NormalizeInPlace(v);
  return v;
}

}  // namespace aura::core::search
