#include "core/search/term_reranker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/search/text.h"

namespace aura::core::search {
namespace {

// A tiny vocabulary with hand-made 4-dimensional vectors and weights.
class FakeTerms final : public TermSource {
 public:
  FakeTerms() {
    Add("surfers", {1, 0, 0, 0}, 0.9f);
    Add("surf", {0.9f, 0.1f, 0, 0}, 0.9f);
    Add("hostel", {0, 1, 0, 0}, 0.9f);
    Add("lodging", {0, 0.8f, 0.6f, 0}, 0.9f);
    Add("hotel", {0, 0.6f, 0.8f, 0}, 0.9f);
    Add("cheap", {0, 0, 0, 1}, 0.9f);
    Add("the", {0.5f, 0.5f, 0.5f, 0.5f}, 0.01f);
  }
  std::vector<Term> Terms(std::string_view text) const override {
    std::map<int32_t, float> seen;
    for (const std::string& token : Tokenize(text)) {
      auto it = ids_.find(token);
      if (it != ids_.end()) seen[it->second] = weights_[static_cast<size_t>(it->second)];
    }
    std::vector<Term> out;
    for (auto [word, weight] : seen) out.push_back({word, weight});
    return out;
  }
  int TermDimensions() const override { return 4; }
  void TermUnitVector(int32_t word, float* out) const override {
    const auto& v = vectors_[static_cast<size_t>(word)];
    float n = 0;
    for (float x : v) n += x * x;
    n = std::sqrt(n);
    for (size_t d = 0; d < 4; ++d) out[d] = v[d] / n;
  }

 private:
  void Add(const std::string& word, std::vector<float> v, float weight) {
    ids_[word] = static_cast<int32_t>(vectors_.size());
    vectors_.push_back(std::move(v));
    weights_.push_back(weight);
  }
  std::map<std::string, int32_t> ids_;
  std::vector<std::vector<float>> vectors_;
  std::vector<float> weights_;
};

TermRerankOptions Options(float sentence_weight = 0.5f) {
  TermRerankOptions o;
  o.sentence_weight = sentence_weight;
  return o;
}

TEST(TermReranker, WithoutWordsTheScoreIsTheCosine) {
  FakeTerms source;
  TermReranker reranker(source, Options());
  const ItemTerms item = reranker.Learn(reranker.ItemWords("surf hostel"));
  EXPECT_FLOAT_EQ(reranker.Score(reranker.Prepare("unknown words only"), item, 0.42f), 0.42f);
  const ItemTerms nothing = reranker.Learn(reranker.ItemWords("no known word"));
  EXPECT_FLOAT_EQ(reranker.Score(reranker.Prepare("surfers"), nothing, -0.3f), -0.3f);
}

TEST(TermReranker, MixesTheCosineWithEachQueryWordsBestMatch) {
  FakeTerms source;
  TermReranker reranker(source, Options(0.25f));
  const ItemTerms item = reranker.Learn(reranker.ItemWords("the hostel for surfers"));
  // Both query words occur in the item: the word match is 1.
  EXPECT_NEAR(reranker.Score(reranker.Prepare("surfers hostel"), item, 0.2f), 0.25f * 0.2f + 0.75f, 1e-5);
  // "cheap" is orthogonal to every item word: half the weight matches fully, half at 0.
  EXPECT_NEAR(reranker.Score(reranker.Prepare("cheap surfers"), item, 0.0f), 0.75f * 0.5f, 1e-5);
  // "lodging" best matches "hostel" (cosine 0.8).
  EXPECT_NEAR(reranker.Score(reranker.Prepare("lodging"), item, 0.0f), 0.75f * 0.8f, 1e-5);
}

TEST(TermReranker, OneDecisiveWordIsNotDilutedByALongDescription) {
  FakeTerms source;
  TermReranker reranker(source, Options());
  const ItemTerms camp = reranker.Learn(reranker.ItemWords("hotel hotel hotel lodging surf"));
  const ItemTerms inn = reranker.Learn(reranker.ItemWords("hotel lodging"));
  const QueryTerms q = reranker.Prepare("cheap lodging for surfers");
  // The index ranked the inn higher, but only the camp has a word for surfers.
  EXPECT_GT(reranker.Score(q, camp, 0.30f), reranker.Score(q, inn, 0.40f));
}

TEST(TermReranker, ScoresStayCosineLike) {
  FakeTerms source;
  TermReranker reranker(source, Options(0.0f));
  const ItemTerms item = reranker.Learn(reranker.ItemWords("surfers hostel"));
  for (float cosine : {-1.0f, -0.5f, 0.0f, 0.7f, 1.0f}) {
    for (const char* q : {"surfers", "cheap", "hotel lodging cheap", "the"}) {
      const float s = reranker.Score(reranker.Prepare(q), item, cosine);
      EXPECT_GE(s, -1.0f);
      EXPECT_LE(s, 1.0f);
    }
  }
}

TEST(TermReranker, FunctionWordsAreNotMatchedAndTheTableIsShared) {
  FakeTerms source;
  TermReranker reranker(source, Options());
  const ItemTerms a = reranker.Learn(reranker.ItemWords("the surf hostel"));
  const ItemTerms b = reranker.Learn(reranker.ItemWords("the hostel hotel"));
  EXPECT_EQ(a.slots.size(), 2u) << "'the' weighs less than min_item_weight";
  EXPECT_EQ(b.slots.size(), 2u);
  EXPECT_EQ(reranker.TableWords(), 3u) << "hostel is stored once";
  EXPECT_GT(reranker.MemoryBytes(), 3u * 4u * sizeof(float) - 1);
  // A query of only a function word below min_query_weight has no words.
  TermRerankOptions strict = Options();
  strict.min_query_weight = 0.5f;
  TermReranker strict_reranker(source, strict);
  EXPECT_TRUE(strict_reranker.Prepare("the").empty());
}

}  // namespace
}  // namespace aura::core::search
