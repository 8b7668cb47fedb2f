#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/search/embedder.h"
#include "core/search/embedder_factory.h"
#include "core/search/hashing_embedder.h"
#include "core/search/remote_embedder.h"
#include "core/search/word_vector_embedder.h"
#include "core/search/word_vectors.h"

namespace aura::core::search {
namespace {

float Cos(const std::vector<float>& a, const std::vector<float>& b) { return Dot(a, b); }

std::unique_ptr<WordVectors> OpenVectorsOrFail() {
  auto wv = WordVectors::Open(AURA_WORD_VECTORS_PATH);
  if (!wv.ok()) {
    ADD_FAILURE() << "word vectors missing: " << wv.status().ToString()
                  << "\nRun scripts/fetch_word_vectors.sh (scripts/test.sh does it via setup.sh).";
    return nullptr;
  }
  return std::move(wv).value();
}

TEST(WordVectors, OpensTheFetchedFileAndFindsWords) {
  auto wv = OpenVectorsOrFail();
  ASSERT_NE(wv, nullptr);
  EXPECT_EQ(wv->Dimensions(), 100);
  EXPECT_GT(wv->Count(), 300000u);
  const int32_t the = wv->Find("the");
  ASSERT_GE(the, 0);
  EXPECT_EQ(wv->Rank(the), 0u);
  EXPECT_EQ(wv->Word(the), "the");
  const int32_t hostel = wv->Find("hostel");
  ASSERT_GE(hostel, 0);
  EXPECT_GT(wv->Rank(hostel), 1000u);
  EXPECT_EQ(wv->Find("qqqzzzxxyy"), -1);
  EXPECT_EQ(wv->Find(""), -1);
}

TEST(WordVectors, AbsentFileIsNotFound) {
  auto wv = WordVectors::Open("/nonexistent/dir/vectors.awv");
  EXPECT_EQ(wv.status().code(), common::StatusCode::kNotFound);
}

TEST(WordVectors, DamagedFileIsDataLoss) {
  const std::string path = ::testing::TempDir() + "/damaged.awv";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(200, 'x');
  }
  auto wv = WordVectors::Open(path);
  EXPECT_EQ(wv.status().code(), common::StatusCode::kDataLoss);
  std::filesystem::remove(path);
}

TEST(WordVectorEmbedder, SynonymsAreCloserThanUnrelatedText) {
  auto wv = OpenVectorsOrFail();
  ASSERT_NE(wv, nullptr);
  WordVectorEmbedder e(std::move(wv));
  EXPECT_EQ(e.Dimensions(), 100);
  const auto cheap = *e.Embed("cheap hostel for backpackers");
  const auto budget = *e.Embed("inexpensive budget lodging");
  const auto luxury = *e.Embed("helicopter flight over the skyline");
  EXPECT_NEAR(std::sqrt(Dot(cheap, cheap)), 1.0f, 1e-4);
  EXPECT_GT(Cos(cheap, budget), Cos(cheap, luxury) + 0.1f);
}

TEST(WordVectorEmbedder, ResolvesInflectionsAndCompounds) {
  auto wv = OpenVectorsOrFail();
  ASSERT_NE(wv, nullptr);
  WordVectorEmbedder e(std::move(wv));
  EXPECT_FALSE(e.Resolve("villas").empty());
  EXPECT_FALSE(e.Resolve("surfer's").empty());
  EXPECT_FALSE(e.Resolve("sea-viewish-room").empty());  // parts
  EXPECT_TRUE(e.Resolve("qqqzzzxxyy").empty());
  // Frequent words weigh little, rare ones a lot.
  EXPECT_LT(e.Weight(e.Resolve("the").front()), 0.1f);
  EXPECT_GT(e.Weight(e.Resolve("hostel").front()), 0.8f);
}

TEST(WordVectorEmbedder, UnknownWordsGiveAZeroVector) {
  auto wv = OpenVectorsOrFail();
  ASSERT_NE(wv, nullptr);
  WordVectorEmbedder e(std::move(wv));
  auto v = e.Embed("qqqzzzxxyy zzkkqqpp 12345 !!!");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 100u);
  EXPECT_TRUE(IsZero(*v));
  EXPECT_TRUE(IsZero(*e.Embed("")));
}

TEST(HashingEmbedder, SharedWordsAndInflectionsAreSimilar) {
  HashingEmbedder e({.dimensions = 512});
  EXPECT_EQ(e.ModelName(), "hashing-v1-512");
  const auto a = *e.Embed("sea view villa");
  const auto b = *e.Embed("villas with a sea view");
  const auto c = *e.Embed("helicopter tour");
  EXPECT_NEAR(Dot(a, a), 1.0f, 1e-4);
  EXPECT_GT(Cos(a, b), 0.6f);
  EXPECT_LT(Cos(a, c), 0.3f);
  EXPECT_EQ(*e.Embed("sea view villa"), a);  // deterministic
  EXPECT_TRUE(IsZero(*e.Embed("the and of")));
  EXPECT_FALSE(IsZero(*e.Embed("東京のホテル")));
}

class FakeBackend : public EmbeddingsBackend {
 public:
  explicit FakeBackend(int dims, Status fail = {}) : dims_(dims), fail_(std::move(fail)) {}
  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& inputs) override {
    ++calls;
    if (!fail_.ok()) return fail_;
    std::vector<std::vector<float>> out;
    for (const std::string& s : inputs) {
      std::vector<float> v(static_cast<size_t>(dims_), 0.0f);
      v[s.size() % static_cast<size_t>(dims_)] = 3.0f;
      v[0] += 4.0f;
      out.push_back(v);
    }
    return out;
  }
  int calls = 0;

 private:
  int dims_;
  Status fail_;
};

TEST(RemoteEmbedder, NormalisesAndLearnsDimensions) {
  auto backend = std::make_unique<FakeBackend>(8);
  FakeBackend* raw = backend.get();
  RemoteEmbedder e(std::move(backend), "mistral-embed");
  EXPECT_EQ(e.ModelName(), "mistral-embed");
  EXPECT_EQ(e.Dimensions(), 0);
  auto batch = e.EmbedBatch({"a", "bb", "ccc"});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(raw->calls, 1);
  EXPECT_EQ(batch->size(), 3u);
  EXPECT_NEAR(Dot((*batch)[0], (*batch)[0]), 1.0f, 1e-5);
  EXPECT_EQ(e.Dimensions(), 8);
}

TEST(RemoteEmbedder, PassesBackendErrorsThrough) {
  RemoteEmbedder e(std::make_unique<FakeBackend>(8, common::UnavailableError("api down")), "m");
  EXPECT_EQ(e.Embed("x").status().code(), common::StatusCode::kUnavailable);
}

TEST(MakeEmbedder, PicksWordVectorsWhenTheFileExists) {
  auto e = MakeEmbedder({.model = "local", .vectors_paths = {"/nonexistent/a.awv", AURA_WORD_VECTORS_PATH}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->ModelName(), "wink-sg-100d-sif-v1") << "run scripts/fetch_word_vectors.sh";
}

TEST(MakeEmbedder, FallsBackToHashingWhenTheFileIsAbsent) {
  auto e = MakeEmbedder({.model = "local", .vectors_paths = {"/nonexistent/a.awv"}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->ModelName(), "hashing-v1-512");
  auto h = MakeEmbedder({.model = "hashing", .hashing_dimensions = 64});
  EXPECT_EQ((*h)->Dimensions(), 64);
}

TEST(MakeEmbedder, RemoteModelNeedsABackendFactory) {
  EXPECT_EQ(MakeEmbedder({.model = "mistral-embed"}).status().code(),
            common::StatusCode::kFailedPrecondition);
  std::string asked;
  auto e = MakeEmbedder({.model = "mistral-embed"}, [&](const std::string& model) {
    asked = model;
    return Result<std::unique_ptr<EmbeddingsBackend>>(std::make_unique<FakeBackend>(4));
  });
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(asked, "mistral-embed");
  EXPECT_EQ((*e)->ModelName(), "mistral-embed");
}

}  // namespace
}  // namespace aura::core::search
