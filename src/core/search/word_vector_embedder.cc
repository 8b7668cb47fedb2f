#include "core/search/word_vector_embedder.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "core/search/text.h"

namespace aura::core::search {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() + 2 && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

WordVectorEmbedder::WordVectorEmbedder(std::unique_ptr<WordVectors> vectors,
                                       WordVectorEmbedderOptions options)
    : vectors_(std::move(vectors)),
      options_(options),
      harmonic_(std::log(static_cast<double>(vectors_->SourceCount())) + 0.5772156649) {
  if (options_.common_component_words > 0) common_ = CommonComponent();
}

std::vector<float> WordVectorEmbedder::CommonComponent() const {
  // Power iteration on the (uncentred) second-moment matrix of the weighted
  // vectors of the most frequent words.
  const auto dims = static_cast<size_t>(vectors_->Dimensions());
  const auto n = std::min<uint32_t>(static_cast<uint32_t>(options_.common_component_words),
                                    vectors_->Count());
  std::vector<std::vector<float>> rows;
  rows.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    std::vector<float> row(dims, 0.0f);
    vectors_->AddScaled(static_cast<int32_t>(i), Weight(static_cast<int32_t>(i)), row.data());
    rows.push_back(std::move(row));
  }
  std::vector<float> u(dims, 1.0f);
  NormalizeInPlace(u);
  for (int iter = 0; iter < 30; ++iter) {
    std::vector<float> next(dims, 0.0f);
    for (const auto& row : rows) {
      const float p = Dot(row, u);
      for (size_t d = 0; d < dims; ++d) next[d] += p * row[d];
    }
    NormalizeInPlace(next);
    u = std::move(next);
  }
  return u;
}

std::string WordVectorEmbedder::ModelName() const {
  // Bump the suffix whenever tokenising or weighting changes: stored
  // embeddings made by the old code are then re-embedded.
  return "wink-sg-100d-sif-v1";
}

float WordVectorEmbedder::Weight(int32_t index) const {
  const double p = 1.0 / ((static_cast<double>(vectors_->Rank(index)) + 1.0) * harmonic_);
  return static_cast<float>(options_.sif_a / (options_.sif_a + p));
}

std::vector<int32_t> WordVectorEmbedder::Resolve(const std::string& token) const {
  if (int32_t i = vectors_->Find(token); i >= 0) return {i};
  std::string_view t = token;
  // Possessives and contractions: "surfer's" -> "surfer", "o'neil" -> "oneil".
  if (const size_t apos = t.find('\''); apos != std::string_view::npos) {
    if (int32_t i = vectors_->Find(t.substr(0, apos)); i >= 0 && apos >= 2) return {i};
    std::string joined;
    for (char c : t) {
      if (c != '\'') joined.push_back(c);
    }
    if (int32_t i = vectors_->Find(joined); i >= 0) return {i};
    return Resolve(std::string(t.substr(0, apos)));
  }
  // Hyphenated words: "sea-view" -> "seaview", else the parts that resolve.
  if (t.find('-') != std::string_view::npos) {
    std::string joined;
    for (char c : t) {
      if (c != '-') joined.push_back(c);
    }
    if (int32_t i = vectors_->Find(joined); i >= 0) return {i};
    std::vector<int32_t> parts;
    size_t start = 0;
    while (start <= t.size()) {
      size_t end = t.find('-', start);
      if (end == std::string_view::npos) end = t.size();
      if (end > start) {
        for (int32_t i : Resolve(std::string(t.substr(start, end - start)))) parts.push_back(i);
      }
      start = end + 1;
    }
    return parts;
  }
  // Suffixes, most specific first: "villas" -> "villa", "cities" -> "city".
  struct Rule {
    std::string_view suffix;
    std::string_view replacement;
  };
  static constexpr Rule kRules[] = {
      {"ies", "y"}, {"es", ""}, {"s", ""},   {"ing", ""}, {"ing", "e"},
      {"ed", ""},   {"ed", "e"}, {"ly", ""}, {"er", ""},  {"est", ""},
  };
  for (const Rule& rule : kRules) {
    if (!EndsWith(t, rule.suffix)) continue;
    std::string stem(t.substr(0, t.size() - rule.suffix.size()));
    stem += rule.replacement;
    if (int32_t i = vectors_->Find(stem); i >= 0) return {i};
  }
  return {};
}

std::vector<Term> WordVectorEmbedder::Terms(std::string_view text) const {
  std::vector<Term> terms;
  for (const std::string& token : Tokenize(text)) {
    for (int32_t index : Resolve(token)) terms.push_back(Term{index, Weight(index)});
  }
  std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.word < b.word; });
  terms.erase(std::unique(terms.begin(), terms.end(),
                          [](const Term& a, const Term& b) { return a.word == b.word; }),
              terms.end());
  return terms;
}

void WordVectorEmbedder::TermUnitVector(int32_t word, float* out) const {
  const auto dims = static_cast<size_t>(vectors_->Dimensions());
  std::fill(out, out + dims, 0.0f);
  vectors_->AddScaled(word, 1.0f, out);
  double sq = 0;
  for (size_t d = 0; d < dims; ++d) sq += static_cast<double>(out[d]) * out[d];
  if (sq > 0) {
    const auto inv = static_cast<float>(1.0 / std::sqrt(sq));
    for (size_t d = 0; d < dims; ++d) out[d] *= inv;
  }
}

Result<std::vector<float>> WordVectorEmbedder::Embed(const std::string& text) {
  std::vector<float> sum(static_cast<size_t>(vectors_->Dimensions()), 0.0f);
  for (const std::string& token : Tokenize(text)) {
    for (int32_t index : Resolve(token)) vectors_->AddScaled(index, Weight(index), sum.data());
  }
  if (!common_.empty() && !IsZero(sum)) {
    const float p = Dot(sum, common_);
    for (size_t d = 0; d < sum.size(); ++d) sum[d] -= p * common_[d];
  }
  NormalizeInPlace(sum);
  return sum;
}

}  // namespace aura::core::search
