#include "core/pricing/llm/decision_cache.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace aura::core {
namespace {

// Index of the band `value` falls in; a step of 0 or less keeps the value.
double Band(double value, double step) {
  if (!(step > 0) || !std::isfinite(value)) return value;
  return std::round(value / step);
}

}  // namespace

DecisionCache::DecisionCache(DecisionCacheOptions options, const common::Clock& clock)
    : options_(options), clock_(clock) {}

std::string DecisionCache::Key(const DecisionCacheKeyParts& p) const {
  // A JSON array keeps the parts apart whatever characters the item id holds.
  nlohmann::json key = nlohmann::json::array(
      {p.model, p.prompt_version, p.item_id, p.base_price, p.floor_price,
       Band(p.bid, options_.bid_step), std::floor(p.reputation / options_.reputation_band),
       p.market_load ? nlohmann::json(std::floor(*p.market_load / options_.market_load_band))
                     : nlohmann::json(nullptr)});
  return key.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<LlmDecision> DecisionCache::Get(const std::string& key) {
  const auto now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  if (it->second->expires <= now) {
    lru_.erase(it->second);
    index_.erase(it);
    ++stats_.misses;
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++stats_.hits;
  return it->second->decision;
}

void DecisionCache::Put(const std::string& key, LlmDecision decision) {
  if (options_.capacity == 0) return;
  const auto expires = clock_.Now() + options_.ttl;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->decision = std::move(decision);
    it->second->expires = expires;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front({key, std::move(decision), expires});
  index_[key] = lru_.begin();
  while (lru_.size() > options_.capacity) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
    ++stats_.evictions;
  }
}

DecisionCache::Stats DecisionCache::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.size = lru_.size();
  return s;
}

}  // namespace aura::core
