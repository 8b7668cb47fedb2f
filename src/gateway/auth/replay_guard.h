// File: gateway/auth/replay_guard.h
//
// The replay guard (DESIGN §3): a signature already seen inside the ±60 s
// window gets the first request's answer again, so a retried request never
// negotiates twice and a captured request cannot buy anything new. Answers
// are kept by the hash of the signature (ReplayKey), never by the signature.
//
//   std::unique_ptr<ReplayGuard> guard = MakeReplayGuard({.redis_url = config.database.redis_url});
//   std::string key = ReplayKey(agent.signature_hex);
//   if (auto seen = guard->Lookup(key)) return *seen;            // the first answer again
//   StoredResponse answer = Handle(request);
//   guard->Remember(key, answer, request_timestamp + 60);        // when the signature expires
//
// Backends: "memory" (bounded LRU with expiry, sharded) when no Redis URL is
// configured; "redis" (SET key value EX ttl NX, so the first answer wins
// across replicas, with short timeouts) otherwise, which keeps answers in
// process while Redis fails (Degraded() is true, one warning logged) and uses
// Redis again once a probe, at most every `redis_retry_interval`, succeeds.
//
// Two identical requests arriving at the same moment may both miss Lookup;
// the route should also pass ReplayKey as the core's request_id (idempotency
// key), which the core stores, so the second cannot negotiate again.
//
// Thread-safe. Lookup and Remember never fail: on trouble they answer "not
// seen" / keep the answer in process.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace aura::gateway {

// The first answer to a signed request.
struct StoredResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  friend bool operator==(const StoredResponse&, const StoredResponse&) = default;
};

// Thread-safe interface. Implementations are neither copyable nor movable.
class ReplayGuard {
 public:
  ReplayGuard() = default;
  virtual ~ReplayGuard() = default;
  ReplayGuard(const ReplayGuard&) = delete;
  ReplayGuard& operator=(const ReplayGuard&) = delete;

  // The answer remembered for `signature_hash`, if it has not expired.
  virtual std::optional<StoredResponse> Lookup(std::string_view signature_hash) = 0;
  // Keeps `response` for `signature_hash` until `expires_at_unix` (Unix
  // seconds). The first answer stays when one is already kept.
  virtual void Remember(std::string_view signature_hash, const StoredResponse& response,
                        int64_t expires_at_unix) = 0;
  // "memory" or "redis".
  virtual std::string Backend() const = 0;
  // True while Redis failed and the in-process store serves.
  virtual bool Degraded() const = 0;
};

struct ReplayGuardOptions {
  // `redis://host:port/db`; empty selects the in-process store.
  std::string redis_url;
  std::chrono::milliseconds redis_timeout{50};
  std::chrono::milliseconds redis_retry_interval{2000};
  // Prefix of the Redis keys; tests make it unique.
  std::string redis_key_prefix = "aura:replay:";
  // In-process bounds: entries and bytes (bodies, keys and bookkeeping); the
  // least recently used answers go first when either is exceeded. The guard
  // is the fast path for replays: one it has forgotten still reaches the core,
  // whose idempotency key is the same signature hash, and gets the stored
  // decision again (docs/security.md). 4 MiB holds the last ~7 500 answers,
  // every retry of the last few seconds at full load, and keeps the gateway
  // inside its memory budget (DESIGN §9).
  size_t max_entries = 100'000;
  size_t max_bytes = 4 << 20;
  // "Now" for expiry and the Redis retry schedule; SystemClock when null.
  const common::Clock* clock = nullptr;
};

// The guard the options ask for. An invalid Redis URL is logged as an error
// and leaves the guard degraded, serving in-process.
std::unique_ptr<ReplayGuard> MakeReplayGuard(ReplayGuardOptions options);
std::unique_ptr<ReplayGuard> MakeMemoryReplayGuard(const ReplayGuardOptions& options);

// The key answers are kept under: Sha256Hex of the lowercased signature hex.
std::string ReplayKey(std::string_view signature_hex);

}  // namespace aura::gateway
