// File: gateway/internal/delta_counter.h
//
// DeltaCounter: exposes a running total kept elsewhere (server stats, the
// tracing pipeline's counters) as a prometheus-cpp counter, which can only be
// incremented: at each scrape, Sync(total) adds what grew since the last one.
//
//   DeltaCounter accepted(registry.Counter("x_total", "...").Add({}));
//   registry.OnCollect([&] { accepted.Sync(server.stats().connections_accepted); });
//
// Thread-safe (scrapes may run concurrently).
#pragma once

#include <prometheus/counter.h>

#include <cstdint>
#include <mutex>

namespace aura::gateway::internal {

class DeltaCounter {
 public:
  explicit DeltaCounter(prometheus::Counter& counter) : counter_(counter) {}
  // A total below the last one (a reset at the source) adds nothing and
  // restarts counting from it.
  void Sync(uint64_t total) {
    std::lock_guard lock(mu_);
    if (total > last_) counter_.Increment(static_cast<double>(total - last_));
    last_ = total;
  }

 private:
  prometheus::Counter& counter_;
  std::mutex mu_;
  uint64_t last_ = 0;  // guarded by mu_
};

}  // namespace aura::gateway::internal
