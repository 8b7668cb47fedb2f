#include "core/search/eval/search_eval.h"

#include <gtest/gtest.h>

#include "core/search/hashing_embedder.h"
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
  std::printf("local: Recall@1 %.3f Recall@3 %.3f MRR %.3f\n", report->recall_at_1,
              report->recall_at_3, report->mrr);
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
