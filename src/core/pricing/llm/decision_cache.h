// File: core/pricing/llm/decision_cache.h
//
// DecisionCache: reuses a recent LLM answer for an identical situation, so a
// burst of similar bids costs one model call. The key holds everything the
// answer depends on: the item (id, base and floor price), the bid rounded to
// `bid_step`, the agent's reputation band, the market-load band, the model
// and the prompt version. What is cached is the model's parsed answer, not the
// final decision: guardrails run again on every reuse with the real bid, and
// each accept gets its own reservation code.
//
// Bounded (least recently used entries go first) and entries expire after
// `ttl`.
//
//   DecisionCache cache({.capacity = 1024, .ttl = std::chrono::minutes(5)}, clock);
//   std::string key = cache.Key({.item_id = "hotel_alpha", .bid = 851.0, ...});
//   if (auto hit = cache.Get(key)) { ... } else { cache.Put(key, answer); }
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "core/pricing/llm/llm_decision.h"

namespace aura::core {

struct DecisionCacheOptions {
  // 0 disables the cache.
  size_t capacity = 1024;
  std::chrono::seconds ttl{300};
  // Bids are rounded to a multiple of this before they join the key.
  double bid_step = 5.0;
  // Reputation (0..1) is cut into bands this wide.
  double reputation_band = 0.25;
  // Market load (0..1) is cut into bands this wide.
  double market_load_band = 0.2;
};

struct DecisionCacheKeyParts {
  std::string item_id;
  double base_price = 0;
  double floor_price = 0;
  double bid = 0;
  double reputation = 0;
  std::optional<double> market_load;
  std::string model;
  std::string prompt_version;
};

class DecisionCache {
 public:
  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
    size_t size = 0;
  };

  // `clock` must outlive the cache.
  DecisionCache(DecisionCacheOptions options, const common::Clock& clock);
  DecisionCache(const DecisionCache&) = delete;
  DecisionCache& operator=(const DecisionCache&) = delete;

  std::string Key(const DecisionCacheKeyParts& parts) const;
  // A live entry (counts a hit) or nullopt (counts a miss).
  std::optional<LlmDecision> Get(const std::string& key);
  void Put(const std::string& key, LlmDecision decision);
  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    LlmDecision decision;
    common::Clock::TimePoint expires;
  };

  const DecisionCacheOptions options_;
  const common::Clock& clock_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // guarded by mu_; most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;  // guarded by mu_
  Stats stats_;  // guarded by mu_
};

}  // namespace aura::core
