#include "gateway/ratelimit/rate_limiter.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "common/log/log.h"
#include "gateway/ratelimit/redis_link.h"

namespace aura::gateway {

namespace {

int64_t WindowOf(int64_t now_unix) {
  // Floor division, so times before the epoch (tests) still get whole windows.
  int64_t q = now_unix / kRateWindowSeconds;
  if (now_unix % kRateWindowSeconds < 0) --q;
  return q;
}

RateDecision Decide(int limit, int64_t count, int64_t window, int64_t now_unix) {
  RateDecision d;
  d.limit = limit;
  d.reset_unix = (window + 1) * kRateWindowSeconds;
  d.allowed = count <= limit;
  d.remaining = static_cast<int>(std::max<int64_t>(0, limit - count));
  d.retry_after_seconds = d.allowed ? 0 : static_cast<int>(std::max<int64_t>(1, d.reset_unix - now_unix));
  return d;
}

// Thread-safe: each shard has its own mutex, so agents on different shards
// never contend.
class MemoryRateLimiter final : public RateLimiter {
 public:
  explicit MemoryRateLimiter(const RateLimiterOptions& options)
      : limit_(options.limit_per_minute),
        max_per_shard_(std::max<size_t>(1, (options.max_agents + kShards - 1) / kShards)) {}

  RateDecision Check(std::string_view agent_did, int64_t now_unix) override {
    const int64_t window = WindowOf(now_unix);
    Shard& shard = shards_[std::hash<std::string_view>{}(agent_did) % kShards];
    int64_t count = 0;
    int64_t counted_window = window;
    {
      std::lock_guard lock(shard.mu);
      auto it = shard.counters.find(agent_did);
      if (it == shard.counters.end()) {
        if (shard.counters.size() >= max_per_shard_) Evict(shard, window);
        it = shard.counters.emplace(std::string(agent_did), Counter{window, 0}).first;
      }
      Counter& c = it->second;
      if (c.window != window) {
        // A new window starts over; a request stamped in an older window than
        // the one counted (clock jitter between threads) counts in the newer.
        if (c.window < window) c = Counter{window, 0};
      }
      count = ++c.count;
      counted_window = c.window;
    }
    return Decide(limit_, count, counted_window, now_unix);
  }

  std::string Backend() const override { return "memory"; }
  bool Degraded() const override { return false; }

 private:
  static constexpr size_t kShards = 64;

  struct Counter {
    int64_t window;
    int64_t count;
  };
  // Heterogeneous lookup by string_view, so Check does not allocate for known agents.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Counter, Hash, std::equal_to<>> counters;  // guarded by mu
  };

  // Frees room in a full shard (mu held): first every counter of a past
  // window, then, if all are current, an arbitrary one.
  void Evict(Shard& shard, int64_t window) {
    std::erase_if(shard.counters, [&](const auto& kv) { return kv.second.window < window; });
    if (shard.counters.size() >= max_per_shard_) shard.counters.erase(shard.counters.begin());
  }

  const int limit_;
  const size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

// Thread-safe. Counts in Redis with MULTI { INCR; EXPIRE } so every replica
// shares one counter per agent and window; falls back to `fallback_` while
// the link reports Redis down.
class RedisRateLimiter final : public RateLimiter {
 public:
  explicit RedisRateLimiter(const RateLimiterOptions& options)
      : limit_(options.limit_per_minute),
        prefix_(options.redis_key_prefix),
        link_(RedisLinkOptions{.url = options.redis_url,
                               .timeout = options.redis_timeout,
                               .retry_interval = options.redis_retry_interval,
                               .clock = options.clock,
                               .name = "rate_limiter"}),
        fallback_(options) {}

  RateDecision Check(std::string_view agent_did, int64_t now_unix) override {
    const int64_t window = WindowOf(now_unix);
    std::string key = prefix_;
    key.append(agent_did).append(":").append(std::to_string(window));
    // Keep the key one window past its end, so late requests of slow replicas
    // still find it, then let Redis drop it. Relative (EXPIRE, not EXPIREAT)
    // so a gateway clock that differs from Redis's cannot expire it early.
    const std::string ttl = std::to_string((window + 2) * kRateWindowSeconds - now_unix);
    auto replies = link_.Run({{"MULTI"}, {"INCR", key}, {"EXPIRE", key, ttl}, {"EXEC"}});
    if (replies.ok() && replies->size() == 4) {
      const RedisReply& exec = (*replies)[3];
      if (exec.type == RedisReply::Type::kArray && !exec.elements.empty() &&
          exec.elements[0].type == RedisReply::Type::kInteger) {
        return Decide(limit_, exec.elements[0].integer, window, now_unix);
      }
      LogUnexpectedReply(exec);
    }
    return fallback_.Check(agent_did, now_unix);
  }

  std::string Backend() const override { return "redis"; }
  bool Degraded() const override { return link_.Down(); }

 private:
  void LogUnexpectedReply(const RedisReply& reply) {
    // An error reply (e.g. a read-only replica) is not a link failure; say so once.
    if (!unexpected_logged_.exchange(true)) {
      AURA_LOG_WARNING("ratelimit.redis_reply_unexpected")
          .With("reply", reply.str)
          .With("fallback", "in-process");
    }
  }

  const int limit_;
  const std::string prefix_;
  RedisLink link_;
  MemoryRateLimiter fallback_;
  std::atomic<bool> unexpected_logged_{false};
};

}  // namespace

std::unique_ptr<RateLimiter> MakeMemoryRateLimiter(const RateLimiterOptions& options) {
  return std::make_unique<MemoryRateLimiter>(options);
}

std::unique_ptr<RateLimiter> MakeRateLimiter(RateLimiterOptions options) {
  if (options.redis_url.empty()) return MakeMemoryRateLimiter(options);
  return std::make_unique<RedisRateLimiter>(options);
}

}  // namespace aura::gateway
