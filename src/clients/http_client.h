// File: clients/http_client.h
//
// HttpClient: the one way Aura Hive makes outbound HTTP calls (LLM chat,
// embeddings, Prometheus). It wraps libcurl and puts deadlines, retries and
// circuit breaking in one place:
//   - every call has a deadline; no attempt, back-off or Retry-After wait runs
//     past it;
//   - 429, 5xx and connection errors are retried a bounded number of times with
//     exponential back-off and jitter, honouring Retry-After (delta-seconds
//     or an HTTP-date) when the server sends it;
//   - an optional CircuitBreaker refuses calls at once while the dependency is
//     failing;
//   - connections are reused: curl handles (each with its connection cache)
//     come from a pool and go back after the call. TLS peers are verified.
//
//   HttpClient http({.retry = {.max_attempts = 3}});
//   HttpRequest req{.method = "POST", .url = base + "/chat/completions", .body = json};
//   req.headers.push_back({"Authorization", "Bearer " + key});
//   Result<HttpResponse> r = http.Send(req, Deadline::After(std::chrono::seconds(10)));
//
// Send returns the final HTTP response whatever its status (a 4xx, or the last
// 5xx once retries are spent); callers map statuses. Errors:
//   DEADLINE_EXCEEDED — the deadline passed (an attempt timed out, or no time
//                       was left to wait for the next attempt);
//   UNAVAILABLE       — connection failures after the retries, or the breaker
//                       is open;
//   INVALID_ARGUMENT  — a malformed URL or method.
// Error messages name the host and what failed, never headers or bodies, so an
// API key cannot leak through them.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clients/circuit_breaker.h"
#include "common/clock.h"
#include "common/status.h"

namespace aura::clients {

// A point in steady time after which a call must have returned.
struct Deadline {
  std::chrono::steady_clock::time_point at;

  static Deadline After(std::chrono::milliseconds d) {
    return {std::chrono::steady_clock::now() + d};
  }
  std::chrono::milliseconds Remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        at - std::chrono::steady_clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
  }
  bool Expired() const { return std::chrono::steady_clock::now() >= at; }
};

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  // Header names in lower case; the last value wins for repeated names.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int attempts = 0;  // how many attempts the call took

  // The value of header `name` (case-insensitive), if present.
  std::optional<std::string> Header(std::string_view name) const;
};

struct RetryPolicy {
  // Attempts in all, the first one included; 1 = no retries.
  int max_attempts = 3;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 2.0;
  // Fraction of each back-off that is random: the wait is uniform in
  // [backoff * (1 - jitter), backoff].
  double jitter = 0.5;
  // A Retry-After longer than this (or than the time left) ends the call.
  std::chrono::milliseconds max_retry_after{30000};
};

struct HttpClientOptions {
  RetryPolicy retry;
  // Upper bound for one attempt; the deadline shortens it further.
  std::chrono::milliseconds attempt_timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // Responses larger than this fail the attempt (a guard against runaway bodies).
  size_t max_response_bytes = 8 * 1024 * 1024;
  // Optional; not owned, must outlive the client. Every attempt asks it first
  // and reports to it: 429, 5xx, timeouts and connection errors are failures.
  CircuitBreaker* breaker = nullptr;
  // Wall clock for Retry-After HTTP-dates. Null = SystemClock.
  const common::Clock* clock = nullptr;
  // Seed for the jitter; 0 = random.
  uint64_t jitter_seed = 0;
  // CA bundle path; empty = the system default.
  std::string ca_file;
  std::string user_agent = "aura-hive/0.1";
};

// Counters since construction.
struct HttpClientStats {
  uint64_t calls = 0;
  uint64_t attempts = 0;
  uint64_t retries = 0;
  uint64_t transport_errors = 0;
  uint64_t breaker_rejections = 0;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request`, retrying as the policy says, within `deadline`.
  common::Result<HttpResponse> Send(const HttpRequest& request, Deadline deadline);

  HttpClientStats stats() const;

 private:
  struct Attempt;
  struct HandlePool;

  Attempt AttemptOnce(const HttpRequest& request, std::chrono::milliseconds timeout);
  std::chrono::milliseconds BackoffFor(int retry_index);

  HttpClientOptions options_;
  std::unique_ptr<HandlePool> pool_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;    // guarded by mu_
  HttpClientStats stats_;  // guarded by mu_
};

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT") relative to `now`. A date in the past is
// zero; an unparsable value is nullopt.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// Replaces every occurrence of each non-empty secret in `text` with
// "[REDACTED]".
std::string ScrubSecrets(std::string text, const std::vector<std::string>& secrets);

}  // namespace aura::clients
