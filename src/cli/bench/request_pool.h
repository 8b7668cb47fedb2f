// File: cli/bench/request_pool.h
//
// Pre-signed requests for `aura bench`, so that the load generator spends its
// time sending and not signing.
//
// Every request needs its own signature: the gateway answers a signature it has
// already seen with the first answer (the replay guard), which would measure a
// cache instead of negotiations. So each body carries a unique "nonce" (an
// extra field the gateway ignores) and a bid varying in its cents.
//
// RequestFactory builds one complete HTTP/1.1 request (head and body, ready to
// write to a socket) per sequence number: the outcome it aims for is drawn from
// the configured weights by a hash of the sequence number, the signing agent
// rotates over `agents` keys (to stay under per-agent rate limits).
//
// RequestPool holds requests signed up front and, from a background thread,
// tops the pool up when it runs low and re-signs requests before they age past
// `max_age` (the gateway accepts timestamps within ±60 s). When a sender finds
// the pool empty it signs inline, and that is counted.
//
//   RequestFactory factory(factory_options);            // throws nothing; keys made here
//   RequestPool pool(factory, {.target_size = 50000});
//   pool.Prefill();
//   pool.StartRefiller();
//   PreparedRequest r = pool.Take();                    // any thread
//
// Thread-safety: RequestFactory::Make and RequestPool are thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/agent_key.h"
#include "common/status.h"

namespace aura::cli {

enum class BenchOutcome : int { kAccepted = 0, kCountered = 1, kUiRequired = 2, kRejected = 3 };
inline constexpr int kBenchOutcomeCount = 4;
// "accepted", "countered", "ui_required", "rejected".
std::string_view BenchOutcomeName(BenchOutcome outcome) noexcept;

// Relative weights of the outcomes the requests aim for.
struct OutcomeMix {
  std::array<double, kBenchOutcomeCount> weights = {70, 20, 5, 5};
  friend bool operator==(const OutcomeMix&, const OutcomeMix&) = default;
};

// Parses "accepted=70,countered=20,ui_required=5,rejected=5" (names may be
// left out, meaning 0; at least one weight must be positive).
// INVALID_ARGUMENT naming the bad part.
common::Result<OutcomeMix> ParseOutcomeMix(std::string_view text);

struct RequestFactoryOptions {
  std::string host_header = "127.0.0.1:8000";
  std::string path = "/v1/negotiate";
  OutcomeMix mix;
  int agents = 16;
  // Bids per outcome, with the request's cents added (0.00..0.99). They suit
  // the rule strategy and the demo inventory (hotel_alpha: floor 800, human
  // confirmation above 1000).
  std::string item_id = "hotel_alpha";
  double accepted_bid = 850;
  double countered_bid = 100;
  double ui_required_bid = 1500;
  std::string unknown_item_id = "bench_no_such_item";
  uint64_t seed = 1;
};

struct PreparedRequest {
  std::string bytes;  // the whole HTTP request
  BenchOutcome expected = BenchOutcome::kAccepted;
  int64_t signed_at = 0;  // Unix seconds of X-Timestamp
};

class RequestFactory {
 public:
  explicit RequestFactory(RequestFactoryOptions options);
  // A fresh request with its own sequence number, signed now.
  PreparedRequest Make();
  // The outcome sequence number `seq` aims for (deterministic).
  BenchOutcome OutcomeFor(uint64_t seq) const;
  const std::vector<AgentKey>& agents() const { return agents_; }

 private:
  RequestFactoryOptions options_;
  std::array<double, kBenchOutcomeCount> cumulative_{};
  std::vector<AgentKey> agents_;
  std::atomic<uint64_t> next_seq_{0};
};

struct RequestPoolOptions {
  size_t target_size = 20000;
  // The refiller tops up when the pool falls below this share of target_size.
  double low_water = 0.5;
  // Requests older than this are re-signed (the gateway allows 60 s).
  std::chrono::seconds max_age{45};
  // Threads used by Prefill.
  int prefill_threads = 2;
};

class RequestPool {
 public:
  RequestPool(RequestFactory& factory, RequestPoolOptions options);
  ~RequestPool();  // stops the refiller
  RequestPool(const RequestPool&) = delete;
  RequestPool& operator=(const RequestPool&) = delete;

  // Signs up to target_size requests now (on prefill_threads threads).
  void Prefill();
  void StartRefiller();
  void StopRefiller();
  // The oldest pooled request, or one signed inline when the pool is empty or
  // the oldest is too old.
  PreparedRequest Take();

  uint64_t signed_inline() const { return signed_inline_.load(std::memory_order_relaxed); }
  uint64_t resigned() const { return resigned_.load(std::memory_order_relaxed); }
  // Requests the refiller added because the pool ran low.
  uint64_t refilled() const { return refilled_.load(std::memory_order_relaxed); }
  size_t size() const;

 private:
  void RefillLoop();
  bool Stale(const PreparedRequest& r, int64_t now) const;

  RequestFactory& factory_;
  RequestPoolOptions options_;
  mutable std::mutex mu_;
  std::deque<PreparedRequest> pool_;  // guarded by mu_
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread refiller_;
  std::atomic<uint64_t> signed_inline_{0};
  std::atomic<uint64_t> resigned_{0};
  std::atomic<uint64_t> refilled_{0};
};

}  // namespace aura::cli
