// File: core/search/vector_index.h
//
// VectorIndex: approximate nearest-neighbour search by cosine similarity over
// string-keyed vectors, an HNSW graph from Debian's header-only hnswlib.
// Vectors are normalised on insert and queries on search, so cosine
// similarity is the inner product (hnswlib's InnerProductSpace distance is
// 1 - similarity).
//
//   VectorIndex index({.dimensions = 100});
//   AURA_RETURN_IF_ERROR(index.Upsert("hostel_beta", embedding));
//   index.Remove("hotel_alpha");                        // e.g. deactivated
//   AURA_ASSIGN_OR_RETURN(auto hits, index.Search(query, 5));   // best first
//
// Keys keep their graph node for life: an update rewrites the node's vector
// and re-links it, a removal marks the node deleted (searches skip it) and a
// later upsert of the same key revives it. Capacity doubles as needed.
//
// Thread-safe: searches run concurrently under a shared lock; Upsert and
// Remove take the lock exclusively (they are rare: inventory changes).
//
// Status codes: INVALID_ARGUMENT for a vector of the wrong length, non-finite
// or all zeros; INTERNAL if hnswlib throws (out of memory).
#pragma once

#include <cstddef>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace hnswlib {
template <typename T>
class HierarchicalNSW;
class InnerProductSpace;
}  // namespace hnswlib

namespace aura::core::search {

struct VectorIndexOptions {
  int dimensions = 100;
  size_t initial_capacity = 1024;
  // HNSW graph degree and build/search beam widths. With these, 100 000
  // clustered 100-dimensional vectors give recall@10 ≈ 0.98 (docs/search.md).
  int m = 16;
  int ef_construction = 200;
  int ef_search = 96;
  size_t random_seed = 100;
  // Threads UpsertBatch inserts with (0 = one per core); batches under 256
  // items use one.
  int build_threads = 0;
};

// One entry of UpsertBatch; the vector must stay alive during the call.
struct IndexEntry {
  std::string key;
  std::span<const float> vector;
};

struct Neighbor {
  std::string key;
  float similarity = 0;  // cosine, in [-1, 1]
  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

class VectorIndex {
 public:
  explicit VectorIndex(VectorIndexOptions options);
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // Inserts the key or replaces its vector (reviving a removed key).
  common::Status Upsert(const std::string& key, std::span<const float> vector);
  // Upsert of many keys at once, inserting from several threads (the initial
  // load of a large inventory). Returns one Status per entry, in order; a
  // key given twice keeps its last vector.
  std::vector<common::Status> UpsertBatch(const std::vector<IndexEntry>& entries);
  // Marks the key deleted. False when it is absent or already removed.
  bool Remove(const std::string& key);
  bool Contains(const std::string& key) const;
  // Up to k live keys by descending similarity to `query`.
  common::Result<std::vector<Neighbor>> Search(std::span<const float> query, size_t k) const;
  // Live (not removed) keys.
  size_t Size() const;
  int Dimensions() const { return options_.dimensions; }
  // Bytes held by the graph, the vectors and the key maps (estimate).
  size_t MemoryBytes() const;

 private:
  common::Status CheckVector(std::span<const float> v) const;

  VectorIndexOptions options_;
  mutable std::shared_mutex mu_;
  std::unique_ptr<hnswlib::InnerProductSpace> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;   // guarded by mu_
  std::unordered_map<std::string, size_t> label_by_key_;     // guarded by mu_
  std::vector<std::string> key_by_label_;                    // guarded by mu_
  std::vector<bool> removed_;                                // guarded by mu_
  size_t live_ = 0;                                          // guarded by mu_
};

}  // namespace aura::core::search
