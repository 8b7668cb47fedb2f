#include "core/search/vector_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/search/testing/random_vectors.h"

namespace aura::core::search {
namespace {

using testing::BruteForceTopK;
using testing::ClusteredVectors;

std::string Key(size_t i) { return "item_" + std::to_string(i); }

TEST(VectorIndex, MatchesBruteForceOnRandomData) {
  const auto data = ClusteredVectors(2000, 32, 40, 1);
  const auto queries = ClusteredVectors(100, 32, 40, 2);
  VectorIndex index({.dimensions = 32, .initial_capacity = 64});  // grows while inserting
  for (size_t i = 0; i < data.size(); ++i) ASSERT_TRUE(index.Upsert(Key(i), data[i]).ok());
  EXPECT_EQ(index.Size(), data.size());
  size_t found = 0;
  for (const auto& q : queries) {
    auto hits = index.Search(q, 10);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 10u);
    for (size_t i = 1; i < hits->size(); ++i) EXPECT_GE((*hits)[i - 1].similarity, (*hits)[i].similarity);
    std::set<std::string> got;
    for (const Neighbor& n : *hits) got.insert(n.key);
    for (size_t t : BruteForceTopK(data, q, 10)) found += got.count(Key(t));
    EXPECT_NEAR((*hits)[0].similarity, Dot(q, data[BruteForceTopK(data, q, 1)[0]]), 0.05);
  }
  EXPECT_GE(static_cast<double>(found) / (queries.size() * 10), 0.95);
}

TEST(VectorIndex, BatchInsertFromSeveralThreadsMatchesBruteForce) {
  const auto data = ClusteredVectors(3000, 32, 60, 5);
  const auto queries = ClusteredVectors(50, 32, 60, 6);
  VectorIndex index({.dimensions = 32, .initial_capacity = 16, .build_threads = 2});
  std::vector<IndexEntry> batch;
  for (size_t i = 0; i < data.size(); ++i) batch.push_back({Key(i), data[i]});
  const std::vector<float> zero(32, 0.0f);
  batch.push_back({"bad", zero});                // refused, the rest goes in
  batch.push_back({Key(0), data[1]});           // a key twice: the last vector wins
  const auto statuses = index.UpsertBatch(batch);
  ASSERT_EQ(statuses.size(), batch.size());
  for (size_t i = 0; i < data.size(); ++i) EXPECT_TRUE(statuses[i].ok());
  EXPECT_EQ(statuses[data.size()].code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Size(), data.size());
  auto self = index.Search(data[1], 2);
  ASSERT_TRUE(self.ok());
  EXPECT_NEAR((*self)[0].similarity, 1.0, 1e-4);
  EXPECT_NEAR((*self)[1].similarity, 1.0, 1e-4);  // item_0 now has item_1's vector
  size_t found = 0;
  auto moved = data;
  moved[0] = data[1];
  for (const auto& q : queries) {
    auto hits = index.Search(q, 10);
    ASSERT_TRUE(hits.ok());
    std::set<std::string> got;
    for (const Neighbor& n : *hits) got.insert(n.key);
    for (size_t t : BruteForceTopK(moved, q, 10)) found += got.count(Key(t));
  }
  EXPECT_GE(static_cast<double>(found) / (queries.size() * 10), 0.95);
  // A batch that revives and updates existing keys.
  EXPECT_TRUE(index.Remove(Key(5)));
  auto again = index.UpsertBatch({{Key(5), data[5]}, {"new", data[7]}});
  EXPECT_TRUE(again[0].ok() && again[1].ok());
  EXPECT_TRUE(index.Contains(Key(5)));
  EXPECT_EQ(index.Size(), data.size() + 1);
}

TEST(VectorIndex, SimilarityIsCosineEvenForUnnormalisedInput) {
  VectorIndex index({.dimensions = 3});
  ASSERT_TRUE(index.Upsert("x", std::vector<float>{10, 0, 0}).ok());
  ASSERT_TRUE(index.Upsert("xy", std::vector<float>{1, 1, 0}).ok());
  auto hits = index.Search(std::vector<float>{2, 0, 0}, 5);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].key, "x");
  EXPECT_NEAR((*hits)[0].similarity, 1.0, 1e-5);
  EXPECT_NEAR((*hits)[1].similarity, 0.70710678, 1e-5);
}

TEST(VectorIndex, UpdatesRemovesAndRevivesKeys) {
  VectorIndex index({.dimensions = 2});
  ASSERT_TRUE(index.Upsert("a", std::vector<float>{1, 0}).ok());
  ASSERT_TRUE(index.Upsert("b", std::vector<float>{0, 1}).ok());
  auto top = [&](std::vector<float> q) { return (*index.Search(q, 1)).at(0).key; };
  EXPECT_EQ(top({1, 0.1f}), "a");
  // Update: a moves next to b's direction and c takes its old place.
  ASSERT_TRUE(index.Upsert("a", std::vector<float>{0.1f, 1}).ok());
  ASSERT_TRUE(index.Upsert("c", std::vector<float>{1, 0}).ok());
  EXPECT_EQ(top({1, 0.1f}), "c");
  EXPECT_EQ(index.Size(), 3u);
  // Removal (deactivation) hides the key.
  EXPECT_TRUE(index.Remove("c"));
  EXPECT_FALSE(index.Remove("c"));
  EXPECT_FALSE(index.Remove("never"));
  EXPECT_FALSE(index.Contains("c"));
  EXPECT_EQ(index.Size(), 2u);
  auto all = index.Search(std::vector<float>{1, 0}, 10);
  ASSERT_TRUE(all.ok());
  for (const Neighbor& n : *all) EXPECT_NE(n.key, "c");
  EXPECT_EQ(all->size(), 2u);
  // Re-activation revives it.
  ASSERT_TRUE(index.Upsert("c", std::vector<float>{1, 0}).ok());
  EXPECT_TRUE(index.Contains("c"));
  EXPECT_EQ(top({1, 0}), "c");
  EXPECT_EQ(index.Size(), 3u);
}

TEST(VectorIndex, RejectsBadVectors) {
  VectorIndex index({.dimensions = 3});
  EXPECT_EQ(index.Upsert("a", std::vector<float>{1, 2}).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Upsert("a", std::vector<float>{0, 0, 0}).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Upsert("a", std::vector<float>{NAN, 0, 1}).code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(index.Search(std::vector<float>{1, 0}, 3).status().code(), common::StatusCode::kInvalidArgument);
  auto empty = index.Search(std::vector<float>{1, 0, 0}, 3);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(VectorIndex, SearchesStayCorrectDuringUpdates) {
  const auto data = ClusteredVectors(600, 16, 10, 3);
  VectorIndex index({.dimensions = 16, .initial_capacity = 32});
  for (size_t i = 0; i < 300; ++i) ASSERT_TRUE(index.Upsert(Key(i), data[i]).ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto hits = index.Search(data[0], 5);
      if (!hits.ok() || hits->empty() || (*hits)[0].key != Key(0)) bad.fetch_add(1);
    }
  });
  for (size_t i = 300; i < data.size(); ++i) ASSERT_TRUE(index.Upsert(Key(i), data[i]).ok());
  for (size_t i = 1; i < 300; i += 2) index.Remove(Key(i));
  done.store(true);
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(index.Size(), 600u - 150u);
  EXPECT_GT(index.MemoryBytes(), 600u * 16 * sizeof(float));
}

}  // namespace
}  // namespace aura::core::search
