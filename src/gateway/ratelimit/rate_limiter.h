// File: gateway/ratelimit/rate_limiter.h
//
// Per-agent request limits for the gateway's signed routes (DESIGN §3): at
// most `limit_per_minute` requests per agent DID per fixed window, answered
// with the values of the X-RateLimit-* headers and, when refused, Retry-After.
//
// Fixed windows: the window of time t is floor(t / 60); it resets at the next
// multiple of 60 s. We chose fixed over sliding windows because the count is a
// single INCR in Redis (atomic across replicas, one round trip), the reset
// time is the same for every replica, and X-RateLimit-Reset is exact. The
// price is the usual one: an agent can fit up to 2× the limit in the seconds
// around a boundary.
//
//   std::unique_ptr<RateLimiter> limiter = MakeRateLimiter({.limit_per_minute = 100,
//                                                           .redis_url = config.database.redis_url});
//   RateDecision d = limiter->Check(agent.did, now_unix);
//   // X-RateLimit-Limit: d.limit, -Remaining: d.remaining, -Reset: d.reset_unix
//   if (!d.allowed) { /* 429 with Retry-After: d.retry_after_seconds */ }
//
// Backends: "memory" (in-process, sharded by agent, bounded) when no Redis URL
// is configured; "redis" otherwise, which keeps serving from an in-process
// limiter while Redis fails (Degraded() is true, one warning is logged) and
// goes back to Redis when a probe, at most every `redis_retry_interval`,
// succeeds. While degraded each replica counts on its own.
//
// Thread-safe. Check never fails: limits are a protection, not a dependency.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace aura::gateway {

struct RateDecision {
  bool allowed = true;
  // X-RateLimit-Limit.
  int limit = 0;
  // X-RateLimit-Remaining: requests left in this window after this one (≥ 0).
  int remaining = 0;
  // X-RateLimit-Reset: Unix seconds at which the window ends.
  int64_t reset_unix = 0;
  // Retry-After when refused (≥ 1), 0 when allowed.
  int retry_after_seconds = 0;
  friend bool operator==(const RateDecision&, const RateDecision&) = default;
};

// Thread-safe interface. Implementations are neither copyable nor movable.
class RateLimiter {
 public:
  RateLimiter() = default;
  virtual ~RateLimiter() = default;
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Counts one request of `agent_did` at `now_unix` and decides.
  virtual RateDecision Check(std::string_view agent_did, int64_t now_unix) = 0;
  // "memory" or "redis".
  virtual std::string Backend() const = 0;
  // True while Redis failed and the in-process limiter serves.
  virtual bool Degraded() const = 0;
};

inline constexpr int64_t kRateWindowSeconds = 60;

struct RateLimiterOptions {
  int limit_per_minute = 100;
  // `redis://host:port/db`; empty selects the in-process limiter.
  std::string redis_url;
  // Connect and per-command timeout of Redis calls.
  std::chrono::milliseconds redis_timeout{50};
  // After a Redis failure, how long to serve in-process before probing Redis again.
  std::chrono::milliseconds redis_retry_interval{2000};
  // Prefix of the Redis keys (`<prefix><did>:<window>`); tests make it unique.
  std::string redis_key_prefix = "aura:ratelimit:";
  // In-process bound: agents tracked at once; beyond it, entries of past
  // windows go first, then arbitrary ones (which lets those agents start over).
  size_t max_agents = 100'000;
  // Time source for the Redis retry schedule; SystemClock when null.
  const common::Clock* clock = nullptr;
};

// The limiter the options ask for (see the file comment). An invalid Redis URL
// is logged as an error and leaves the limiter degraded, serving in-process.
std::unique_ptr<RateLimiter> MakeRateLimiter(RateLimiterOptions options);

// The in-process limiter: 64 shards by DID hash, each under its own mutex.
std::unique_ptr<RateLimiter> MakeMemoryRateLimiter(const RateLimiterOptions& options);

}  // namespace aura::gateway
