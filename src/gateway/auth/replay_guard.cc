#include "gateway/auth/replay_guard.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <list>
#include <mutex>
#include <unordered_map>

#include "gateway/auth/signature.h"
#include "gateway/ratelimit/redis_link.h"

namespace aura::gateway {

std::string ReplayKey(std::string_view signature_hex) {
  std::string lower(signature_hex);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return Sha256Hex(lower);
}

namespace {

// Thread-safe: 16 shards, each an LRU list plus index under its own mutex.
class MemoryReplayGuard final : public ReplayGuard {
 public:
  explicit MemoryReplayGuard(const ReplayGuardOptions& options)
      : clock_(options.clock != nullptr ? options.clock : &common::SystemClock::Instance()),
        max_entries_(std::max<size_t>(1, options.max_entries / kShards)),
        max_bytes_(std::max<size_t>(1, options.max_bytes / kShards)) {}

  std::optional<StoredResponse> Lookup(std::string_view signature_hash) override {
    const int64_t now = clock_->NowUnixSeconds();
    Shard& shard = ShardOf(signature_hash);
    std::lock_guard lock(shard.mu);
    auto it = shard.index.find(signature_hash);
    if (it == shard.index.end()) return std::nullopt;
    if (it->second->expires_at <= now) {
      Erase(shard, it->second);
      return std::nullopt;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return it->second->response;
  }

  void Remember(std::string_view signature_hash, const StoredResponse& response,
                int64_t expires_at_unix) override {
    const int64_t now = clock_->NowUnixSeconds();
    if (expires_at_unix <= now) return;
    const size_t bytes = Cost(signature_hash, response);
    if (bytes > max_bytes_) return;  // larger than a whole shard: not worth evicting for
    Shard& shard = ShardOf(signature_hash);
    std::lock_guard lock(shard.mu);
    if (auto it = shard.index.find(signature_hash); it != shard.index.end()) {
      if (it->second->expires_at > now) return;  // the first answer stays
      Erase(shard, it->second);
    }
    while (!shard.lru.empty() &&
           (shard.lru.size() >= max_entries_ || shard.bytes + bytes > max_bytes_)) {
      Erase(shard, std::prev(shard.lru.end()));
    }
    shard.lru.push_front(Entry{std::string(signature_hash), response, expires_at_unix, bytes});
    shard.index.emplace(shard.lru.front().key, shard.lru.begin());
    shard.bytes += bytes;
  }

  std::string Backend() const override { return "memory"; }
  bool Degraded() const override { return false; }

 private:
  static constexpr size_t kShards = 16;

  struct Entry {
    std::string key;
    StoredResponse response;
    int64_t expires_at;
    size_t bytes;
  };
  using EntryList = std::list<Entry>;
  struct Shard {
    std::mutex mu;
    EntryList lru;  // most recent first; guarded by mu
    // Keys are views into the list's entries. Guarded by mu.
    std::unordered_map<std::string_view, EntryList::iterator> index;
    size_t bytes = 0;  // guarded by mu
  };

  static size_t Cost(std::string_view key, const StoredResponse& r) {
    // Strings plus the list node and index slot, roughly.
    return 2 * key.size() + r.body.size() + r.content_type.size() + 160;
  }

  Shard& ShardOf(std::string_view key) { return shards_[std::hash<std::string_view>{}(key) % kShards]; }

  static void Erase(Shard& shard, EntryList::iterator it) {
    shard.bytes -= it->bytes;
    shard.index.erase(std::string_view(it->key));
    shard.lru.erase(it);
  }

  const common::Clock* clock_;
  const size_t max_entries_;
  const size_t max_bytes_;
  std::array<Shard, kShards> shards_;
};

// Stored value: "<status>\n<content_type>\n<body>".
std::string Encode(const StoredResponse& r) {
  std::string out = std::to_string(r.status);
  out.push_back('\n');
  out += r.content_type;
  out.push_back('\n');
  out += r.body;
  return out;
}

std::optional<StoredResponse> Decode(std::string_view v) {
  size_t a = v.find('\n');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = v.find('\n', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  StoredResponse r;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + a, r.status);
  if (ec != std::errc() || ptr != v.data() + a) return std::nullopt;
  r.content_type = std::string(v.substr(a + 1, b - a - 1));
  r.body = std::string(v.substr(b + 1));
  return r;
}

// Thread-safe. Redis first; the in-process guard keeps what arrives while
// Redis is down and is consulted on a Redis miss (answers kept during an
// outage stay valid after it).
class RedisReplayGuard final : public ReplayGuard {
 public:
  explicit RedisReplayGuard(const ReplayGuardOptions& options)
      : clock_(options.clock != nullptr ? options.clock : &common::SystemClock::Instance()),
        prefix_(options.redis_key_prefix),
        link_(RedisLinkOptions{.url = options.redis_url,
                               .timeout = options.redis_timeout,
                               .retry_interval = options.redis_retry_interval,
                               .clock = clock_,
                               .name = "replay_guard"}),
        fallback_(options) {}

  std::optional<StoredResponse> Lookup(std::string_view signature_hash) override {
    auto replies = link_.Run({{"GET", prefix_ + std::string(signature_hash)}});
    if (replies.ok() && replies->size() == 1 && (*replies)[0].type == RedisReply::Type::kString) {
      if (auto r = Decode((*replies)[0].str)) return r;
    }
    return fallback_.Lookup(signature_hash);
  }

  void Remember(std::string_view signature_hash, const StoredResponse& response,
                int64_t expires_at_unix) override {
    const int64_t ttl = expires_at_unix - clock_->NowUnixSeconds();
    if (ttl <= 0) return;
    auto replies = link_.Run({{"SET", prefix_ + std::string(signature_hash), Encode(response), "EX",
                               std::to_string(ttl), "NX"}});
    if (replies.ok() && replies->size() == 1 && (*replies)[0].type != RedisReply::Type::kError) return;
    fallback_.Remember(signature_hash, response, expires_at_unix);
  }

  std::string Backend() const override { return "redis"; }
  bool Degraded() const override { return link_.Down(); }

 private:
  const common::Clock* clock_;
  const std::string prefix_;
  RedisLink link_;
  MemoryReplayGuard fallback_;
};

}  // namespace

std::unique_ptr<ReplayGuard> MakeMemoryReplayGuard(const ReplayGuardOptions& options) {
  return std::make_unique<MemoryReplayGuard>(options);
}

std::unique_ptr<ReplayGuard> MakeReplayGuard(ReplayGuardOptions options) {
  if (options.redis_url.empty()) return MakeMemoryReplayGuard(options);
  return std::make_unique<RedisReplayGuard>(options);
}

}  // namespace aura::gateway
