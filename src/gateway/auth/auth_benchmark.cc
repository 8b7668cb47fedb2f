// The gateway's own per-request auth work next to the one cost it cannot
// avoid, the Ed25519 verification (DESIGN §9: about 55 µs).
#include <benchmark/benchmark.h>

#include "gateway/auth/canonical_json.h"
#include "gateway/auth/json.h"
#include "gateway/auth/replay_guard.h"
#include "gateway/auth/signature.h"

namespace aura::gateway {
namespace {

constexpr std::string_view kNegotiateBody =
    R"({"item_id": "hotel_alpha", "bid_amount": 850.0, "currency": "USD", )"
    R"("agent_did": "did:key:8f3a1c9e4b7d2f6a0e5c8b1d4f7a2c6e9b3d5f8a1c4e7b0d2f6a9c3e5b8d1f4a"})";
constexpr int64_t kNow = 1'700'000'000;

void BM_ParseJson_Negotiate(benchmark::State& state) {
  for (auto _ : state) {
    auto v = ParseJson(kNegotiateBody);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_ParseJson_Negotiate);

void BM_CanonicalJson_Negotiate(benchmark::State& state) {
  for (auto _ : state) {
    auto c = CanonicalJson(kNegotiateBody);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_CanonicalJson_Negotiate);

void BM_Sha256Hex_Negotiate(benchmark::State& state) {
  const std::string canonical = CanonicalJson(kNegotiateBody).value();
  for (auto _ : state) benchmark::DoNotOptimize(Sha256Hex(canonical));
}
BENCHMARK(BM_Sha256Hex_Negotiate);

struct Signed {
  std::string did, ts, sig, body_hash;
};

Signed MakeSigned() {
  AgentKeypair keys = GenerateKeypair();
  const std::string canonical = CanonicalJson(kNegotiateBody).value();
  const std::string ts = std::to_string(kNow);
  return {DidFromPublicKey(keys.public_key), ts,
          SignRequest("POST", "/v1/negotiate", ts, canonical, keys.secret_key), Sha256Hex(canonical)};
}

// Header checks plus crypto_sign_verify_detached: the unavoidable cost.
void BM_Ed25519Verify(benchmark::State& state) {
  const Signed s = MakeSigned();
  SignatureVerifier verifier;
  for (auto _ : state) {
    auto r = verifier.Verify("POST", "/v1/negotiate", {s.did, s.ts, s.sig}, s.body_hash, kNow);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Ed25519Verify);

// Everything the gateway does to authenticate a negotiate request in process:
// parse, canonicalise, hash, verify, replay lookup.
void BM_AuthenticateRequest_Negotiate(benchmark::State& state) {
  const Signed s = MakeSigned();
  SignatureVerifier verifier;
  auto guard = MakeMemoryReplayGuard({});
  for (auto _ : state) {
    auto body = ParseJson(kNegotiateBody);
    std::string hash = Sha256Hex(CanonicalJson(*body));
    auto agent = verifier.Verify("POST", "/v1/negotiate", {s.did, s.ts, s.sig}, hash, kNow);
    auto seen = guard->Lookup(ReplayKey(agent->signature_hex));
    benchmark::DoNotOptimize(seen);
  }
}
BENCHMARK(BM_AuthenticateRequest_Negotiate);

}  // namespace
}  // namespace aura::gateway
