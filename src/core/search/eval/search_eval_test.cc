#include "core/search/eval/search_eval.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "core/search/hashing_embedder.h"
#include "core/search/search_service.h"
#include "core/search/term_reranker.h"
#include "core/search/testing/fake_item_store.h"
#include "core/search/word_vector_embedder.h"

namespace aura::core::search {
namespace {

TEST(SearchEval, EmbeddedDefaultReachesRecallAt3OfNinetyPercent) {
  auto queries = LoadEvalQueries(AURA_SEARCH_EVAL_QUERIES);
  ASSERT_TRUE(queries.ok()) << queries.status().ToString();
  auto items = testing::LoadInventoryFile(AURA_DEMO_INVENTORY);
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  EXPECT_GE(queries->size(), 40u);
  auto vectors = WordVectors::Open(AURA_WORD_VECTORS_PATH);
  ASSERT_TRUE(vectors.ok()) << vectors.status().ToString()
                            << "\nThe word vectors are missing: run scripts/fetch_word_vectors.sh "
                               "(scripts/setup.sh does, into third_party/word-vectors).";
  WordVectorEmbedder embedder(std::move(vectors).value());
  auto report = Evaluate(embedder, *items, *queries);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->recall_at_3, 0.9);
  EXPECT_GE(report->mrr, 0.75);
  for (const EvalMiss& m : report->misses_at_3) {
    std::printf("miss: \"%s\" wants %s (rank %d)\n", m.query.c_str(), m.relevant.front().c_str(), m.rank);
  }
  std::printf("local: Recall@1 %.3f Recall@3 %.3f MRR@10 %.3f\n", report->recall_at_1,
              report->recall_at_3, report->mrr);
}

// The issue's own example: "surfers" is the decisive word, and the surf camp's
// long description diluted it in the averaged embedding (11th by cosine alone).
// The re-ranker's word match brings it first. The Bali hostel, the other
// labelled answer, shares no word with the query: its description's surf
// beaches and board storage bring it close (3rd by word match), and the
// query's price intent ("inexpensive") lifts the cheapest candidates, which
// puts it 2nd, above the New York and Hanoi hotels ("lodging"~"hotel").
TEST(SearchEval, InexpensiveLodgingForSurfersFindsTheSurfCampAndTheBaliHostel) {
  auto items = testing::LoadInventoryFile(AURA_DEMO_INVENTORY);
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  testing::FakeItemStore store;
  for (const storage::Item& item : *items) store.Put(item);
  SearchServiceOptions options{.refresh_interval = std::chrono::milliseconds(0),
                               .progress = [](size_t, size_t) {}};
  options.embedder.vectors_paths = {AURA_WORD_VECTORS_PATH};
  auto service = SearchService::Create(options, store);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  ASSERT_EQ((*service)->embedder().ModelName().rfind("wink-sg-100d", 0), 0u)
      << "the word vectors are missing: run scripts/fetch_word_vectors.sh";
  ASSERT_TRUE((*service)->Start().ok());
  auto hits = (*service)->Search("inexpensive lodging for surfers", 3, 0.0);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().item_id, "costa_rica_surf_camp");
  EXPECT_TRUE(std::any_of(hits->begin(), hits->end(), [](const SearchHit& h) { return h.item_id == "hostel_beta"; }))
      << "the Bali hostel is not in the top 3";
  for (const SearchHit& h : *hits) {
    EXPECT_GE(h.similarity, -1.0);
    EXPECT_LE(h.similarity, 1.0);
  }
  for (size_t i = 1; i < hits->size(); ++i) EXPECT_GE((*hits)[i - 1].similarity, (*hits)[i].similarity);
  // min_similarity cuts on the reported value.
  const double cut = hits->back().similarity + 1e-6;
  auto strict = (*service)->Search("inexpensive lodging for surfers", 3, cut);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->size(), hits->size() - 1);
  for (const SearchHit& h : *strict) EXPECT_GE(h.similarity, cut);
}

// Price intent with the real word vectors: the anchors and their close
// neighbours vote, words that merely co-occur with prices do not.
TEST(SearchEval, PriceIntentFromTheWordVectors) {
  auto vectors = WordVectors::Open(AURA_WORD_VECTORS_PATH);
  ASSERT_TRUE(vectors.ok()) << "the word vectors are missing: run scripts/fetch_word_vectors.sh";
  WordVectorEmbedder embedder(std::move(vectors).value());
  ASSERT_NE(embedder.WordTerms(), nullptr);
  TermReranker reranker(*embedder.WordTerms(), {});
  EXPECT_LE(reranker.PriceIntent("inexpensive lodging for surfers"), -0.99f);
  EXPECT_LE(reranker.PriceIntent("cheap place to sleep in Tokyo"), -0.99f);
  EXPECT_LE(reranker.PriceIntent("budget hostel in Europe"), -0.99f);
  EXPECT_GE(reranker.PriceIntent("luxury stay in Dubai"), 0.99f);
  EXPECT_GE(reranker.PriceIntent("opulent high-end accommodation with a personal valet"), 0.99f);
  EXPECT_GT(reranker.PriceIntent("a sumptuous banquet"), 0.0f);  // a neighbour, not an anchor
  for (const char* q : {"hotel in Dubai", "rent a car for a road trip", "learn to ride waves",
                        "what does it cost", "pricey"}) {
    EXPECT_EQ(reranker.PriceIntent(q), 0.0f) << q;
  }
}

TEST(SearchEval, ReRankingDoesNotLoseToTheCosineAlone) {
  auto queries = LoadEvalQueries(AURA_SEARCH_EVAL_QUERIES);
  auto items = testing::LoadInventoryFile(AURA_DEMO_INVENTORY);
  auto vectors = WordVectors::Open(AURA_WORD_VECTORS_PATH);
  ASSERT_TRUE(queries.ok() && items.ok() && vectors.ok());
  WordVectorEmbedder embedder(std::move(vectors).value());
  auto reranked = Evaluate(embedder, *items, *queries);
  EvalOptions cosine_only;
  cosine_only.rerank.enabled = false;
  auto plain = Evaluate(embedder, *items, *queries, cosine_only);
  ASSERT_TRUE(reranked.ok() && plain.ok());
  EXPECT_GE(reranked->recall_at_3, plain->recall_at_3);
  EXPECT_GE(reranked->mrr, plain->mrr);
  std::printf("cosine only: Recall@1 %.3f Recall@3 %.3f MRR@10 %.3f\n", plain->recall_at_1,
              plain->recall_at_3, plain->mrr);
}

TEST(SearchEval, HashingFallbackIsMeasuredToo) {
  auto queries = LoadEvalQueries(AURA_SEARCH_EVAL_QUERIES);
  auto items = testing::LoadInventoryFile(AURA_DEMO_INVENTORY);
  ASSERT_TRUE(queries.ok() && items.ok());
  HashingEmbedder embedder;
  auto report = Evaluate(embedder, *items, *queries);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->recall_at_3, 0.6);  // a floor: no synonyms, only shared words
}

TEST(SearchEval, RejectsLabelsForUnknownItems) {
  HashingEmbedder embedder;
  std::vector<storage::Item> items(1);
  items[0].id = "a";
  items[0].name = "A";
  auto report = Evaluate(embedder, items, {EvalQuery{"q", {"missing"}, ""}});
  EXPECT_EQ(report.status().code(), common::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aura::core::search
