// File: core/search/redis_result_cache.h
//
// RedisResultCache: search answers in Redis, shared by every core replica
// (DESIGN §2: `AURA_DATABASE__REDIS_URL`). Values are compact JSON under
// `<key_prefix><key>` with a PX expiry. Timeouts are short so that a slow or
// dead Redis never slows a search: a failed call returns UNAVAILABLE, sets the
// degraded flag, logs `search.cache_degraded` once per outage, and further
// calls fail fast without touching the network until `retry_interval` has
// passed; the first successful call afterwards clears the flag
// (`search.cache_recovered`).
//
//   AURA_ASSIGN_OR_RETURN(auto cache, MakeRedisResultCache({.url = "redis://127.0.0.1:6379/0"}, clock));
//
// Thread-safe: one connection guarded by a mutex (each call is one short
// round trip). Status codes: INVALID_ARGUMENT from MakeRedisResultCache for a
// URL it cannot parse; UNAVAILABLE from calls while Redis cannot be reached;
// INTERNAL for a stored value that does not parse.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "core/search/result_cache.h"

struct redisContext;

namespace aura::core::search {

struct RedisResultCacheOptions {
  // redis://[[user]:password@]host[:port][/db]
  std::string url;
  std::string key_prefix = "aura:nectar:";
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{100};
  // How long to answer uncached before trying a dead Redis again.
  std::chrono::milliseconds retry_interval{5000};
};

// The parts of a redis:// URL.
struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;
  std::string password;
  int db = 0;
  friend bool operator==(const RedisAddress&, const RedisAddress&) = default;
};
common::Result<RedisAddress> ParseRedisUrl(const std::string& url);

class RedisResultCache final : public ResultCache {
 public:
  // Use MakeRedisResultCache. `clock` must outlive the cache.
  RedisResultCache(RedisResultCacheOptions options, RedisAddress address, const common::Clock& clock);
  ~RedisResultCache() override;
  RedisResultCache(const RedisResultCache&) = delete;
  RedisResultCache& operator=(const RedisResultCache&) = delete;

  common::Result<std::optional<std::vector<SearchHit>>> Get(const std::string& key) override;
  common::Status Put(const std::string& key, const std::vector<SearchHit>& hits,
                     std::chrono::milliseconds ttl) override;
  common::Status Clear() override;
  SearchCacheStats BackendStats() const override;

 private:
  // Connects when needed; UNAVAILABLE while backing off. Requires mu_.
  common::Status EnsureConnectedLocked();
  // Records a failure: drops the connection, starts the back-off, warns once.
  common::Status FailLocked(const std::string& what);
  void SucceededLocked();

  RedisResultCacheOptions options_;
  RedisAddress address_;
  const common::Clock& clock_;
  std::mutex mu_;
  redisContext* context_ = nullptr;             // guarded by mu_
  common::Clock::TimePoint retry_after_{};      // guarded by mu_
  std::atomic<bool> degraded_{false};
};

common::Result<std::unique_ptr<ResultCache>> MakeRedisResultCache(RedisResultCacheOptions options,
                                                                  const common::Clock& clock);

}  // namespace aura::core::search
