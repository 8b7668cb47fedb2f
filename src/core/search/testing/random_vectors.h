// File: core/search/testing/random_vectors.h
//
// Synthetic embeddings for index tests and benchmarks: clustered Gaussian
// vectors (like real text embeddings, which bunch by topic) from a seeded
// generator, and exact top-k by brute force to measure recall against.
//
//   auto data = ClusteredVectors(1000, 100, /*clusters=*/50, /*seed=*/7);
//   auto truth = BruteForceTopK(data, query, 10);
//
// Thread-compatible.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "core/search/embedder.h"

namespace aura::core::search::testing {

inline std::vector<std::vector<float>> ClusteredVectors(size_t n, int dims, size_t clusters,
                                                        uint64_t seed, float spread = 0.6f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<std::vector<float>> centres(std::max<size_t>(clusters, 1));
  for (auto& c : centres) {
    c.resize(static_cast<size_t>(dims));
    for (float& x : c) x = normal(rng);
    NormalizeInPlace(c);
  }
  std::uniform_int_distribution<size_t> pick(0, centres.size() - 1);
  const float noise = spread / std::sqrt(static_cast<float>(dims));
  std::vector<std::vector<float>> out(n);
  for (auto& v : out) {
    const auto& c = centres[pick(rng)];
    v.resize(static_cast<size_t>(dims));
    for (size_t d = 0; d < v.size(); ++d) v[d] = c[d] + noise * normal(rng);
    NormalizeInPlace(v);
  }
  return out;
}

// Indices of the k vectors with the largest dot product with q, best first.
inline std::vector<size_t> BruteForceTopK(const std::vector<std::vector<float>>& data,
                                          const std::vector<float>& q, size_t k) {
  std::vector<std::pair<float, size_t>> scored;
  scored.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) scored.emplace_back(Dot(data[i], q), i);
  k = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<size_t> out;
  for (size_t i = 0; i < k; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace aura::core::search::testing
