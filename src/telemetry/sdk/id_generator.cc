#include "telemetry/sdk/id_generator.h"

#include <cstring>
#include <random>

namespace aura::telemetry::sdk {
namespace {

// xoshiro256**: fast, good statistical quality; one state per thread.
struct Xoshiro {
  uint64_t s[4];
  Xoshiro() {
    std::random_device rd;
    uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    for (auto& v : s) {  // splitmix64 expands the seed
      seed += 0x9E3779B97F4A7C15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      v = z ^ (z >> 31);
    }
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t Next() noexcept {
    uint64_t result = Rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = Rotl(s[3], 45);
    return result;
  }
};

Xoshiro& ThreadRng() {
  thread_local Xoshiro rng;
  return rng;
}

class RandomIdGenerator final : public IdGenerator {
 public:
  TraceId NewTraceId() noexcept override {
    TraceId id;
    do {
      uint64_t a = ThreadRng().Next(), b = ThreadRng().Next();
      std::memcpy(id.bytes.data(), &a, 8);
      std::memcpy(id.bytes.data() + 8, &b, 8);
    } while (!id.IsValid());
    return id;
  }
  SpanId NewSpanId() noexcept override {
    SpanId id;
    do {
      uint64_t a = ThreadRng().Next();
      std::memcpy(id.bytes.data(), &a, 8);
    } while (!id.IsValid());
    return id;
  }
};

}  // namespace

std::unique_ptr<IdGenerator> MakeRandomIdGenerator() { return std::make_unique<RandomIdGenerator>(); }

}  // namespace aura::telemetry::sdk
