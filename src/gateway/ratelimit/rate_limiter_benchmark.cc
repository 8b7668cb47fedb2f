// What a rate-limit check costs per request: in process, and against Redis
// (AURA_TEST_REDIS_URL; the Redis case reports an error when it is unset).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "gateway/ratelimit/rate_limiter.h"

namespace aura::gateway {
namespace {

constexpr int64_t kNow = 1'700'000'000;

void BM_MemoryRateLimiter_Check(benchmark::State& state) {
  static auto limiter = MakeRateLimiter({.limit_per_minute = 1'000'000'000});
  const std::string did = "did:key:agent-" + std::to_string(state.thread_index());
  for (auto _ : state) benchmark::DoNotOptimize(limiter->Check(did, kNow));
}
BENCHMARK(BM_MemoryRateLimiter_Check)->Threads(1)->Threads(2);

void BM_RedisRateLimiter_Check(benchmark::State& state) {
  const char* url = std::getenv("AURA_TEST_REDIS_URL");
  if (url == nullptr) {
    state.SkipWithError("AURA_TEST_REDIS_URL is not set");
    return;
  }
  auto limiter = MakeRateLimiter({.limit_per_minute = 1'000'000'000,
                                  .redis_url = url,
                                  .redis_key_prefix = "aura:bench:ratelimit:"});
  for (auto _ : state) benchmark::DoNotOptimize(limiter->Check("did:key:bench", kNow));
  if (limiter->Degraded()) state.SkipWithError("Redis did not answer");
}
BENCHMARK(BM_RedisRateLimiter_Check);

}  // namespace
}  // namespace aura::gateway
