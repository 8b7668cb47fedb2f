#include "core/search/vector_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "common/thread_name.h"
#include "core/search/embedder.h"

namespace aura::core::search {

VectorIndex::VectorIndex(VectorIndexOptions options)
    : options_(options),
      space_(std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(options.dimensions))),
      graph_(std::make_unique<hnswlib::HierarchicalNSW<float>>(
          space_.get(), std::max<size_t>(options.initial_capacity, 16), static_cast<size_t>(options.m),
          static_cast<size_t>(options.ef_construction), options.random_seed)) {
  graph_->setEf(static_cast<size_t>(options_.ef_search));
}

VectorIndex::~VectorIndex() = default;

common::Status VectorIndex::CheckVector(std::span<const float> v) const {
  if (static_cast<int>(v.size()) != options_.dimensions) {
    return common::InvalidArgumentError("vector has " + std::to_string(v.size()) +
                                        " dimensions, the index " +
                                        std::to_string(options_.dimensions));
  }
  for (float x : v) {
    if (!std::isfinite(x)) return common::InvalidArgumentError("vector has a non-finite component");
  }
  if (IsZero(v)) return common::InvalidArgumentError("vector is all zeros");
  return common::OkStatus();
}

common::Status VectorIndex::Upsert(const std::string& key, std::span<const float> vector) {
  AURA_RETURN_IF_ERROR(CheckVector(vector));
  std::vector<float> unit(vector.begin(), vector.end());
  NormalizeInPlace(unit);
  std::unique_lock lock(mu_);
  try {
    auto it = label_by_key_.find(key);
    if (it != label_by_key_.end()) {
      const size_t label = it->second;
      graph_->addPoint(unit.data(), label);  // updates in place and unmarks a deleted node
      if (removed_[label]) {
        removed_[label] = false;
        ++live_;
      }
      return common::OkStatus();
    }
    const size_t label = key_by_label_.size();
    if (label >= graph_->max_elements_) graph_->resizeIndex(graph_->max_elements_ * 2);
    graph_->addPoint(unit.data(), label);
    key_by_label_.push_back(key);
    removed_.push_back(false);
    label_by_key_.emplace(key, label);
    ++live_;
  } catch (const std::exception& e) {
    return common::InternalError(std::string("vector index insert failed: ") + e.what());
  }
  return common::OkStatus();
}

std::vector<common::Status> VectorIndex::UpsertBatch(const std::vector<IndexEntry>& entries) {
  std::vector<common::Status> statuses(entries.size());
  // The last occurrence of each key wins; earlier ones are skipped as done.
  std::unordered_map<std::string, size_t> last;
  for (size_t i = 0; i < entries.size(); ++i) {
    statuses[i] = CheckVector(entries[i].vector);
    if (statuses[i].ok()) last[entries[i].key] = i;
  }
  // Vectors are normalised by the inserting threads, one at a time into a
  // buffer of their own: a million-item batch needs no second copy of itself.
  struct Work {
    size_t label;
    size_t entry;
  };
  std::vector<Work> work;
  std::unique_lock lock(mu_);
  try {
    size_t needed = key_by_label_.size();
    for (const auto& [key, i] : last) needed += label_by_key_.contains(key) ? 0 : 1;
    if (needed > graph_->max_elements_) {
      graph_->resizeIndex(std::max(needed, graph_->max_elements_ * 2));
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!statuses[i].ok() || last[entries[i].key] != i) continue;
      const std::string& key = entries[i].key;
      size_t label = 0;
      if (auto it = label_by_key_.find(key); it != label_by_key_.end()) {
        label = it->second;
        if (removed_[label]) {
          removed_[label] = false;
          ++live_;
        }
      } else {
        label = key_by_label_.size();
        key_by_label_.push_back(key);
        removed_.push_back(false);
        label_by_key_.emplace(key, label);
        ++live_;
      }
      work.push_back(Work{label, i});
    }
  } catch (const std::exception& e) {
    for (auto& st : statuses) {
      if (st.ok()) st = common::InternalError(std::string("vector index insert failed: ") + e.what());
    }
    return statuses;
  }
  size_t threads = options_.build_threads > 0 ? static_cast<size_t>(options_.build_threads)
                                              : std::max(1u, std::thread::hardware_concurrency());
  if (work.size() < 256) threads = 1;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::string failure;
  std::mutex failure_mu;
  auto insert = [&] {
    std::vector<float> unit;
    for (size_t w = next.fetch_add(1); w < work.size(); w = next.fetch_add(1)) {
      try {
        const std::span<const float> v = entries[work[w].entry].vector;
        unit.assign(v.begin(), v.end());
        NormalizeInPlace(unit);
        graph_->addPoint(unit.data(), work[w].label);  // hnswlib locks per node
      } catch (const std::exception& e) {
        std::lock_guard fl(failure_mu);
        failed.store(true);
        failure = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back([&insert] {
        common::SetCurrentThreadName("index-build");
        insert();
      });
    } catch (const std::exception&) {
      break;  // no thread to be had: the calling thread does the rest
    }
  }
  insert();
  for (auto& t : pool) t.join();
  if (failed.load()) {
    for (auto& st : statuses) {
      if (st.ok()) st = common::InternalError("vector index insert failed: " + failure);
    }
  }
  return statuses;
}

bool VectorIndex::Remove(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = label_by_key_.find(key);
  if (it == label_by_key_.end() || removed_[it->second]) return false;
  try {
    graph_->markDelete(it->second);
  } catch (const std::exception&) {
    return false;
  }
  removed_[it->second] = true;
  --live_;
  return true;
}

bool VectorIndex::Contains(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = label_by_key_.find(key);
  return it != label_by_key_.end() && !removed_[it->second];
}

common::Result<std::vector<Neighbor>> VectorIndex::Search(std::span<const float> query,
                                                          size_t k) const {
  AURA_RETURN_IF_ERROR(CheckVector(query));
  std::vector<float> unit(query.begin(), query.end());
  NormalizeInPlace(unit);
  std::vector<Neighbor> out;
  std::shared_lock lock(mu_);
  if (k == 0 || live_ == 0) return out;
  try {
    auto queue = graph_->searchKnn(unit.data(), std::min(k, live_));
    out.resize(queue.size());
    // The queue pops the farthest first.
    for (size_t i = queue.size(); i > 0; --i) {
      const auto& [distance, label] = queue.top();
      out[i - 1] = Neighbor{key_by_label_[label], std::clamp(1.0f - distance, -1.0f, 1.0f)};
      queue.pop();
    }
  } catch (const std::exception& e) {
    return common::InternalError(std::string("vector index search failed: ") + e.what());
  }
  return out;
}

size_t VectorIndex::Size() const {
  std::shared_lock lock(mu_);
  return live_;
}

size_t VectorIndex::MemoryBytes() const {
  std::shared_lock lock(mu_);
  const size_t capacity = graph_->max_elements_;
  const size_t count = key_by_label_.size();
  // Level 0 holds every node's links, vector and label; about 1/(M-1) of the
  // nodes' worth of upper-level link lists exist on top (levels are geometric).
  const size_t upper_links =
      graph_->size_links_per_element_ * count / static_cast<size_t>(std::max(options_.m - 1, 1));
  size_t keys = 0;
  for (const std::string& key : key_by_label_) keys += sizeof(std::string) + key.capacity();
  return capacity * graph_->size_data_per_element_ + capacity * (sizeof(void*) + sizeof(int)) +
         upper_links + keys + count * (sizeof(size_t) + 48) /* label maps */;
}

}  // namespace aura::core::search
