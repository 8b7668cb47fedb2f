// File: gateway/ratelimit/redis_link.h
//
// RedisLink: the gateway's small synchronous Redis client (hiredis), shared by
// the rate limiter and the replay guard. It keeps a few connections, runs a
// pipeline of commands on one of them with a short timeout, and acts as a
// circuit breaker: after a failure it reports Redis as down, answers
// UNAVAILABLE at once without touching the network, and lets one caller probe
// again every `retry_interval`. The first failure of an outage logs one
// warning (`redis.unavailable`), the recovery one info line (`redis.recovered`).
//
// Why synchronous: both users sit on the request path before any other work
// of the request can start, Redis answers in about 100 µs on a LAN, and the
// short timeout plus the breaker bound the worst case to one timeout per
// retry interval per connection. An async client would add a callback hop for
// no gain in latency.
//
//   RedisLink link({.url = "redis://127.0.0.1:6379/0", .name = "rate_limiter"});
//   auto replies = link.Run({{"INCR", "k"}, {"EXPIRE", "k", "120"}});
//   if (!replies.ok()) { /* UNAVAILABLE: use the in-process fallback */ }
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

struct redisContext;

namespace aura::gateway {

// The parts of `redis://[[user]:password@]host[:port][/db]`.
struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string username;
  std::string password;
  friend bool operator==(const RedisUrl&, const RedisUrl&) = default;
};

// INVALID_ARGUMENT when `url` is not a redis:// URL of that shape.
common::Result<RedisUrl> ParseRedisUrl(std::string_view url);

// One reply. Errors from Redis itself (`-ERR ...`) are replies of type kError,
// not failures of the link.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kString, kStatus, kError
  std::vector<RedisReply> elements;
};

struct RedisLinkOptions {
  std::string url;
  // Connect and per-command timeout.
  std::chrono::milliseconds timeout{50};
  // How long Redis is left alone after a failure before one caller probes it.
  std::chrono::milliseconds retry_interval{2000};
  // Connections kept; callers spread over them.
  size_t connections = 4;
  // Time source for the retry schedule; SystemClock when null.
  const common::Clock* clock = nullptr;
  // Who uses the link, for log lines ("rate_limiter", "replay_guard").
  std::string name = "redis";
};

// Thread-safe. Not copyable or movable.
class RedisLink {
 public:
  explicit RedisLink(RedisLinkOptions options);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Sends `commands` as one pipeline on one connection and returns one reply
  // per command. UNAVAILABLE when the URL is invalid, Redis is marked down
  // (until the next probe), or the connection fails or times out.
  common::Result<std::vector<RedisReply>> Run(const std::vector<std::vector<std::string>>& commands);

  // True while Redis is considered down (from a failure until a successful call).
  bool Down() const noexcept { return down_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::mutex mu;
    redisContext* ctx = nullptr;  // guarded by mu
    uint64_t generation = 0;      // failure_generation_ when ctx connected; guarded by mu
  };

  // Run without its CLIENT span (telemetry/api/redis_span.h: arguments masked).
  common::Result<std::vector<RedisReply>> RunUntraced(
      const std::vector<std::vector<std::string>>& commands);
  // Sends the pipeline on `slot` (locked by the caller); false on a link error.
  bool Exchange(Slot& slot, const std::vector<std::vector<std::string>>& commands,
                std::vector<RedisReply>& replies, std::string& error);

  common::Status Connect(redisContext*& ctx);
  void MarkFailure(std::string_view what, std::string_view detail);
  void MarkSuccess();
  int64_t NowNanos() const noexcept;

  RedisLinkOptions options_;
  common::Result<RedisUrl> url_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<size_t> next_slot_{0};
  std::atomic<bool> down_{false};
  // Earliest time (clock nanos) at which a caller may try Redis again.
  std::atomic<int64_t> retry_at_{0};
  // Bumped on every failure so connections opened before it are replaced.
  std::atomic<uint64_t> failure_generation_{0};
};

}  // namespace aura::gateway
