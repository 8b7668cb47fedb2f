#include "core/search/term_reranker.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace aura::core::search {
namespace {

// Four floats in one SSE/NEON register (a GCC/Clang vector extension).
typedef float Float4 __attribute__((vector_size(16)));

Float4 Load4(const float* p) noexcept {
  Float4 v;
  std::memcpy(&v, p, sizeof(v));  // unaligned load
  return v;
}

// Dot product with independent partial sums in vector registers: the
// multiply-adds of a 100-float dot product do not wait on each other.
float UnitDot(const float* a, const float* b, size_t n) noexcept {
  Float4 s0 = {0, 0, 0, 0};
  Float4 s1 = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 += Load4(a + i) * Load4(b + i);
    s1 += Load4(a + i + 4) * Load4(b + i + 4);
  }
  for (; i + 4 <= n; i += 4) s0 += Load4(a + i) * Load4(b + i);
  s0 += s1;
  float sum = (s0[0] + s0[1]) + (s0[2] + s0[3]);
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// The heaviest `limit` terms at least `min_weight` heavy.
std::vector<Term> Heaviest(std::vector<Term> terms, float min_weight, size_t limit) {
  std::erase_if(terms, [&](const Term& t) { return !(t.weight >= min_weight); });
  if (terms.size() > limit) {
    std::partial_sort(terms.begin(), terms.begin() + static_cast<std::ptrdiff_t>(limit), terms.end(),
                      [](const Term& a, const Term& b) {
                        return a.weight != b.weight ? a.weight > b.weight : a.word < b.word;
                      });
    terms.resize(limit);
  }
  return terms;
}

// Price-intent anchors: words that ask for a low or a high price. Short on
// purpose: neighbours within price_intent_low of one of them count too
// ("cheaper", "costly", "sumptuous"), and a longer list would pull in words
// that merely co-occur with prices ("hotel"~luxury 0.68, "car"~luxury 0.62,
// "cost"~budget 0.67 stay below 0.75). "budget" is GloVe's fiscal word as much
// as the traveller's, so fiscal words ("spending" 0.81) count as a weak cheap
// vote; travel queries rarely hold them.
constexpr std::string_view kCheapAnchors =
    "cheap cheaper cheapest inexpensive affordable budget low-cost bargain";
constexpr std::string_view kLuxuryAnchors =
    "luxury luxurious expensive upscale opulent lavish posh high-end deluxe";

std::vector<float> AnchorVectors(const TermSource& source, std::string_view words, size_t dims) {
  std::vector<float> out;
  if (dims == 0) return out;
  for (const Term& t : source.Terms(words)) {
    out.resize(out.size() + dims);
    source.TermUnitVector(t.word, out.data() + out.size() - dims);
  }
  return out;
}

// The best cosine of a unit vector with any of the anchors.
float BestAnchor(const float* v, const std::vector<float>& anchors, size_t dims) noexcept {
  float best = -1.0f;
  for (size_t a = 0; a + dims <= anchors.size(); a += dims) best = std::max(best, UnitDot(v, anchors.data() + a, dims));
  return best;
}

}  // namespace

TermReranker::TermReranker(const TermSource& source, TermRerankOptions options)
    : source_(source),
      options_(options),
      dims_(static_cast<size_t>(std::max(source.TermDimensions(), 0))),
      cheap_anchors_(AnchorVectors(source, kCheapAnchors, dims_)),
      luxury_anchors_(AnchorVectors(source, kLuxuryAnchors, dims_)) {}

float TermReranker::IntentOf(const std::vector<Term>& terms) const {
  if (dims_ == 0 || !(options_.price_weight > 0) || cheap_anchors_.empty() || luxury_anchors_.empty()) return 0;
  const float low = options_.price_intent_low;
  const float span = std::max(options_.price_intent_high - low, 1e-6f);
  float cheap = 0;
  float luxury = 0;
  std::vector<float> v(dims_);
  for (const Term& t : terms) {
    source_.TermUnitVector(t.word, v.data());
    const float c = BestAnchor(v.data(), cheap_anchors_, dims_);
    const float l = BestAnchor(v.data(), luxury_anchors_, dims_);
    if (c >= low && c - l >= options_.price_intent_margin) cheap = std::max(cheap, std::min(1.0f, (c - low) / span));
    if (l >= low && l - c >= options_.price_intent_margin) luxury = std::max(luxury, std::min(1.0f, (l - low) / span));
  }
  return std::clamp(luxury - cheap, -1.0f, 1.0f);
}

float TermReranker::PriceIntent(std::string_view query) const {
  if (dims_ == 0) return 0;
  return IntentOf(Heaviest(source_.Terms(query), options_.min_query_weight, options_.max_query_terms));
}

std::vector<float> TermReranker::PriceBonuses(const std::vector<double>& prices, float intent, float weight) {
  std::vector<float> bonus(prices.size(), 0.0f);
  const float strength = std::min(std::abs(intent), 1.0f) * std::max(weight, 0.0f);
  if (!(strength > 0)) return bonus;
  double lo = 0;
  double hi = 0;
  bool any = false;
  for (double p : prices) {
    if (!(p > 0) || !std::isfinite(p)) continue;
    const double l = std::log(p);
    lo = any ? std::min(lo, l) : l;
    hi = any ? std::max(hi, l) : l;
    any = true;
  }
  if (!any || !(hi > lo)) return bonus;
  for (size_t i = 0; i < prices.size(); ++i) {
    const double p = prices[i];
    if (!(p > 0) || !std::isfinite(p)) continue;
    const double up = (std::log(p) - lo) / (hi - lo);  // 0 cheapest .. 1 dearest
    bonus[i] = strength * static_cast<float>(intent < 0 ? 1.0 - up : up);
  }
  return bonus;
}

std::vector<Term> TermReranker::ItemWords(std::string_view item_text) const {
  if (dims_ == 0) return {};
  return Heaviest(source_.Terms(item_text), options_.min_item_weight, options_.max_item_terms);
}

ItemTerms TermReranker::Learn(const std::vector<Term>& item_words) {
  ItemTerms out;
  if (dims_ == 0) return out;
  for (const Term& t : item_words) {
    auto [it, inserted] = slot_of_.try_emplace(t.word, static_cast<uint32_t>(slot_of_.size()));
    if (inserted) {
      table_.resize(table_.size() + dims_);
      source_.TermUnitVector(t.word, table_.data() + table_.size() - dims_);
    }
    out.slots.push_back(it->second);
  }
  return out;
}

QueryTerms TermReranker::Prepare(std::string_view query) const {
  QueryTerms q;
  if (dims_ == 0) return q;
  const std::vector<Term> terms =
      Heaviest(source_.Terms(query), options_.min_query_weight, options_.max_query_terms);
  q.price_intent = IntentOf(terms);
  double total = 0;
  for (const Term& t : terms) total += t.weight;
  if (!(total > 0)) return q;
  q.vectors.resize(terms.size() * dims_);
  for (size_t i = 0; i < terms.size(); ++i) {
    source_.TermUnitVector(terms[i].word, q.vectors.data() + i * dims_);
    q.weights.push_back(static_cast<float>(terms[i].weight / total));
  }
  return q;
}

float TermReranker::Score(const QueryTerms& query, const ItemTerms& item, float cosine) const {
  if (query.empty() || item.slots.empty()) return cosine;
  const size_t n = query.weights.size();
  float match = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* qv = query.vectors.data() + i * dims_;
    float best = -1.0f;
    for (uint32_t slot : item.slots) {
      best = std::max(best, UnitDot(qv, table_.data() + static_cast<size_t>(slot) * dims_, dims_));
    }
    match += query.weights[i] * best;
  }
  const float alpha = options_.sentence_weight;
  return std::clamp(alpha * cosine + (1.0f - alpha) * match, -1.0f, 1.0f);
}

size_t TermReranker::MemoryBytes() const {
  return table_.capacity() * sizeof(float) +
         slot_of_.size() * (sizeof(int32_t) + sizeof(uint32_t) + 2 * sizeof(void*));
}

}  // namespace aura::core::search
