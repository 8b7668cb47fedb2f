// File: cli/bench/load_generator.h
//
// The load generator behind `aura bench`: many keep-alive HTTP/1.1
// connections to the gateway, driven asynchronously by Boost.Asio/Beast on one
// or a few threads, each connection sending its next pre-signed request as soon
// as the previous answer is read (closed loop). It stops after a fixed number
// of requests or a fixed duration, and reports throughput, latency percentiles
// (LatencyHistogram), answers by HTTP status, negotiation outcomes compared
// with what each request aimed for, and transport errors.
//
//   LoadOptions o{.gateway_url = "http://127.0.0.1:8000", .connections = 16,
//                 .requests = 10000};
//   AURA_ASSIGN_OR_RETURN(LoadResult r, RunLoad(o, [](const LoadProgress& p) { ... }));
//   std::cout << r.throughput_rps << "\n";
//
// MeasureVerifyRate is the yardstick DESIGN §9 measures against: libsodium
// Ed25519 verifications per second on one thread.
//
// Thread-safety: RunLoad blocks its caller; the progress callback runs on the
// caller's thread. Stop requests (RequestStop) may come from any thread or a
// signal handler.
//
// Status codes: INVALID_ARGUMENT for a bad URL or option; UNAVAILABLE when the
// gateway's address cannot be resolved.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/bench/latency_histogram.h"
#include "cli/bench/request_pool.h"
#include "common/status.h"

namespace aura::cli {

struct LoadOptions {
  std::string gateway_url = "http://127.0.0.1:8000";
  int connections = 16;
  int threads = 1;
  // Stop after this many requests when > 0; otherwise after `duration`.
  uint64_t requests = 0;
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds request_timeout{10000};
  RequestFactoryOptions factory;  // host_header is filled from the URL
  // Pre-signed pool size; 0 = sized from requests or duration.
  size_t pool_size = 0;
  // Progress callback interval.
  std::chrono::milliseconds progress_interval{500};
};

struct LoadProgress {
  std::chrono::nanoseconds elapsed{0};
  uint64_t completed = 0;
  uint64_t errors = 0;  // non-2xx plus transport errors
  double rate_rps = 0;  // over the last interval
};

struct LoadResult {
  uint64_t completed = 0;  // answered requests plus transport failures
  uint64_t ok = 0;         // 2xx
  std::map<int, uint64_t> status_counts;
  std::array<uint64_t, kBenchOutcomeCount> outcomes{};  // of 2xx answers
  std::array<uint64_t, kBenchOutcomeCount> aimed{};     // what requests aimed for
  uint64_t unexpected_outcomes = 0;  // 2xx with another outcome than aimed for
  std::map<std::string, uint64_t> transport_errors;
  LatencyHistogram latency;  // of answered requests
  std::chrono::nanoseconds elapsed{0};
  double throughput_rps = 0;
  uint64_t signed_up_front = 0;
  uint64_t signed_inline = 0;
  uint64_t resigned = 0;
  uint64_t refilled = 0;
  std::chrono::nanoseconds prefill_time{0};
};

common::Result<LoadResult> RunLoad(const LoadOptions& options,
                                   const std::function<void(const LoadProgress&)>& on_progress);

// Makes a running RunLoad stop issuing requests (async-signal-safe).
void RequestLoadStop() noexcept;

// Ed25519 verifications per second by libsodium on this thread, measured for
// about `budget`, over a message shaped like a real signed request.
double MeasureVerifyRate(std::chrono::milliseconds budget);

struct HostPort {
  std::string host;
  std::string port;
};
// "http://host:port[/]" → host and port (80 when absent). INVALID_ARGUMENT for
// anything else (https is not supported by the bench).
common::Result<HostPort> ParseHttpUrl(std::string_view url);

// The "status" of a negotiate answer body, found without a full JSON parse.
std::string_view FindReplyStatus(std::string_view body) noexcept;

}  // namespace aura::cli
