// Price intent in the re-ranker: detection from the query's words
// (TermReranker::PriceIntent / QueryTerms::price_intent) and the bonus by
// price among the candidates (TermReranker::PriceBonuses).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/search/term_reranker.h"
#include "core/search/text.h"

namespace aura::core::search {
namespace {

// Hand-made 5-dimensional word vectors with known cosines to the anchors:
// cheap/inexpensive (cheap side) and luxury/expensive (luxury side), with
// cheap~expensive 0.78 as in real vectors (antonyms sit close).
class PriceTerms final : public TermSource {
 public:
  PriceTerms() {
    Add("cheap", {1, 0, 0, 0, 0});
    Add("inexpensive", {1, 0, 0, 0, 0});
    Add("luxury", {0, 1, 0, 0, 0});
    Add("expensive", {0.78f, 0.6258f, 0, 0, 0});  // cheap 0.78, luxury 0.63
    // cheap 0.825 (halfway between low 0.75 and high 0.9), expensive 0.64.
    Add("frugal", {0.825f, 0, 0.5651f, 0, 0});
    // As close to cheap as to expensive: no side.
    Add("pricey", {0.89f, 0.3129f, 0, 0, 0});
    // luxury 0.68: below price_intent_low.
    Add("hotel", {0, 0.68f, 0, 0.7332f, 0});
    Add("hostel", {0, 0, 0, 1, 0});
    Add("surfers", {0, 0, 0, 0, 1});
  }
  std::vector<Term> Terms(std::string_view text) const override {
    std::map<int32_t, float> seen;
    for (const std::string& token : Tokenize(text)) {
      auto it = ids_.find(token);
      if (it != ids_.end()) seen[it->second] = 0.9f;
    }
    std::vector<Term> out;
    for (auto [word, weight] : seen) out.push_back({word, weight});
    return out;
  }
  int TermDimensions() const override { return 5; }
  void TermUnitVector(int32_t word, float* out) const override {
    const auto& v = vectors_[static_cast<size_t>(word)];
    float n = 0;
    for (float x : v) n += x * x;
    n = std::sqrt(n);
    for (size_t d = 0; d < v.size(); ++d) out[d] = v[d] / n;
  }

 private:
  void Add(const std::string& word, std::vector<float> v) {
    ids_[word] = static_cast<int32_t>(vectors_.size());
    vectors_.push_back(std::move(v));
  }
  std::map<std::string, int32_t> ids_;
  std::vector<std::vector<float>> vectors_;
};

TEST(TermReranker, PriceIntentAnchorWordsGiveFullIntentInTheirDirection) {
  PriceTerms source;
  TermReranker reranker(source, {});
  EXPECT_FLOAT_EQ(reranker.PriceIntent("inexpensive hostel for surfers"), -1.0f);
  EXPECT_FLOAT_EQ(reranker.PriceIntent("cheap hotel"), -1.0f);
  EXPECT_FLOAT_EQ(reranker.PriceIntent("luxury hotel"), 1.0f);
  // "expensive" is 0.78 from "cheap" but an anchor of the luxury side.
  EXPECT_FLOAT_EQ(reranker.PriceIntent("expensive hostel"), 1.0f);
}

TEST(TermReranker, PriceIntentQueriesWithoutPriceWordsHaveNone) {
  PriceTerms source;
  TermReranker reranker(source, {});
  EXPECT_EQ(reranker.PriceIntent("hostel for surfers"), 0.0f);
  // "hotel" is 0.68 from "luxury": related, but not a request for luxury.
  EXPECT_EQ(reranker.PriceIntent("hotel"), 0.0f);
  EXPECT_EQ(reranker.PriceIntent(""), 0.0f);
  EXPECT_EQ(reranker.PriceIntent("unknown words only"), 0.0f);
}

TEST(TermReranker, PriceIntentANeighbourOfAnAnchorGivesPartialIntent) {
  PriceTerms source;
  TermReranker reranker(source, {});
  // cos(frugal, cheap) = 0.825: halfway up the 0.75..0.9 ramp.
  EXPECT_NEAR(reranker.PriceIntent("frugal hostel"), -0.5f, 0.01f);
}

TEST(TermReranker, PriceIntentAWordCloseToBothSidesDoesNotVote) {
  PriceTerms source;
  TermReranker reranker(source, {});
  EXPECT_EQ(reranker.PriceIntent("pricey hostel"), 0.0f);
}

TEST(TermReranker, PriceIntentOpposingWordsCancel) {
  PriceTerms source;
  TermReranker reranker(source, {});
  EXPECT_EQ(reranker.PriceIntent("cheap luxury"), 0.0f);
  EXPECT_NEAR(reranker.PriceIntent("frugal luxury"), 0.5f, 0.01f);
}

TEST(TermReranker, PriceIntentPrepareCarriesItAndPriceWeightZeroTurnsItOff) {
  PriceTerms source;
  TermReranker reranker(source, {});
  EXPECT_FLOAT_EQ(reranker.Prepare("cheap hostel").price_intent, -1.0f);
  EXPECT_EQ(reranker.Prepare("hostel").price_intent, 0.0f);
  TermRerankOptions off;
  off.price_weight = 0;
  TermReranker no_price(source, off);
  EXPECT_EQ(no_price.Prepare("cheap hostel").price_intent, 0.0f);
  EXPECT_EQ(no_price.PriceIntent("luxury hotel"), 0.0f);
}

TEST(TermReranker, PriceBonusCheapIntentFavoursLowPricesOnALogScale) {
  const std::vector<float> b = TermReranker::PriceBonuses({1000, 100, 10}, -1.0f, 0.1f);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_NEAR(b[0], 0.0f, 1e-6);
  EXPECT_NEAR(b[1], 0.05f, 1e-6);  // log 100 is halfway between log 10 and log 1000
  EXPECT_NEAR(b[2], 0.1f, 1e-6);
}

TEST(TermReranker, PriceBonusLuxuryIntentFavoursHighPricesAndScalesWithStrength) {
  const std::vector<float> b = TermReranker::PriceBonuses({1000, 100, 10}, 0.5f, 0.1f);
  EXPECT_NEAR(b[0], 0.05f, 1e-6);
  EXPECT_NEAR(b[1], 0.025f, 1e-6);
  EXPECT_NEAR(b[2], 0.0f, 1e-6);
}

TEST(TermReranker, PriceBonusNoIntentNoWeightOrNoSpreadGivesNothing) {
  for (float b : TermReranker::PriceBonuses({40, 400}, 0.0f, 0.1f)) EXPECT_EQ(b, 0.0f);
  for (float b : TermReranker::PriceBonuses({40, 400}, -1.0f, 0.0f)) EXPECT_EQ(b, 0.0f);
  for (float b : TermReranker::PriceBonuses({50, 50, 50}, -1.0f, 0.1f)) EXPECT_EQ(b, 0.0f);
  EXPECT_TRUE(TermReranker::PriceBonuses({}, -1.0f, 0.1f).empty());
}

TEST(TermReranker, PriceBonusItemsWithoutAPositivePriceGetNoneAndDoNotStretchTheScale) {
  const std::vector<float> b =
      TermReranker::PriceBonuses({0, -5, std::nan(""), 20, 80}, -1.0f, 0.1f);
  EXPECT_EQ(b[0], 0.0f);
  EXPECT_EQ(b[1], 0.0f);
  EXPECT_EQ(b[2], 0.0f);
  EXPECT_NEAR(b[3], 0.1f, 1e-6);
  EXPECT_NEAR(b[4], 0.0f, 1e-6);
}

TEST(TermReranker, PriceBonusIsBoundedByTheWeightWhateverTheIntent) {
  for (float intent : {-5.0f, -1.0f, 1.0f, 7.0f}) {
    for (float b : TermReranker::PriceBonuses({1, 2, 3, 1e9}, intent, 0.1f)) {
      EXPECT_GE(b, 0.0f);
      EXPECT_LE(b, 0.1f + 1e-6f);
    }
  }
}

}  // namespace
}  // namespace aura::core::search
