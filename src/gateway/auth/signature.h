// File: gateway/auth/signature.h
//
// Ed25519 request signatures (DESIGN §3). An agent sends
//   X-Agent-ID:  did:key:<64 hex chars of its Ed25519 public key, either case>
//   X-Timestamp: Unix seconds, accepted within ±skew (60 s) of the gateway's clock
//   X-Signature: hex of the 64-byte detached signature of
//                METHOD + PATH + TIMESTAMP + hex(sha256(canonical_body))
// where canonical_body comes from canonical_json.h and TIMESTAMP is the header
// text as sent.
//
//   SignatureVerifier verifier(SignatureVerifierOptions{.skew = std::chrono::seconds(60)});
//   AURA_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(body));
//   AURA_ASSIGN_OR_RETURN(VerifiedAgent agent,
//       verifier.Verify("POST", "/v1/negotiate", headers, Sha256Hex(canonical), now_unix));
//   // agent.did identifies the caller downstream, not the body's agent_id.
//
// Clients (the CLI agent, tests) sign with GenerateKeypair / DidFromPublicKey /
// SignRequest. libsodium is initialised on first use.
//
// Every verification failure is UNAUTHENTICATED with one of these messages:
// "Missing X-Agent-ID header", "Missing X-Timestamp header", "Missing
// X-Signature header", "Invalid agent DID format", "Invalid timestamp",
// "Request timestamp outside the allowed window", "Invalid signature encoding"
// (not hex, or not 64 bytes) and "Invalid signature" (verification failed).
//
// Thread-safe: SignatureVerifier is immutable after construction.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aura::gateway {

// The three signature headers as received; an empty view means the header is absent.
struct SignatureHeaders {
  std::string_view agent_id;
  std::string_view timestamp;
  std::string_view signature;
};

struct VerifiedAgent {
  // The DID as sent, with the key's hex in lowercase ("did:key:abcd…").
  std::string did;
  // The signature's hex in lowercase (so a re-cased replay is the same signature).
  std::string signature_hex;
  friend bool operator==(const VerifiedAgent&, const VerifiedAgent&) = default;
};

struct SignatureVerifierOptions {
  // Largest accepted |now - timestamp|.
  std::chrono::seconds skew{60};
};

// Thread-safe.
class SignatureVerifier {
 public:
  explicit SignatureVerifier(SignatureVerifierOptions options = {});

  // Checks the headers and the signature over METHOD+PATH+TIMESTAMP+body hash.
  // `canonical_body_sha256_hex` is Sha256Hex(canonical body) in lowercase.
  // UNAUTHENTICATED with a reason (see the file comment) on any failure.
  common::Result<VerifiedAgent> Verify(std::string_view method, std::string_view path,
                                       const SignatureHeaders& headers,
                                       std::string_view canonical_body_sha256_hex,
                                       int64_t now_unix) const;

 private:
  SignatureVerifierOptions options_;
};

inline constexpr size_t kAgentPublicKeyBytes = 32;
inline constexpr size_t kAgentSecretKeyBytes = 64;  // libsodium form: seed followed by public key
inline constexpr size_t kAgentSeedBytes = 32;
inline constexpr size_t kSignatureBytes = 64;

struct AgentKeypair {
  std::array<uint8_t, kAgentPublicKeyBytes> public_key{};
  std::array<uint8_t, kAgentSecretKeyBytes> secret_key{};
};

// Lowercase hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// A fresh random keypair.
AgentKeypair GenerateKeypair();
// The keypair of a 32-byte seed (PyNaCl's SigningKey(seed)).
AgentKeypair KeypairFromSeed(const std::array<uint8_t, kAgentSeedBytes>& seed);
// "did:key:" + lowercase hex of the public key.
std::string DidFromPublicKey(const std::array<uint8_t, kAgentPublicKeyBytes>& public_key);

// The signed message: METHOD + PATH + TIMESTAMP + Sha256Hex(canonical_body).
std::string SignatureMessage(std::string_view method, std::string_view path,
                             std::string_view timestamp, std::string_view canonical_body);

// Lowercase hex of the Ed25519 signature a client sends as X-Signature.
// `canonical_body` is the canonical JSON text (not its hash).
std::string SignRequest(std::string_view method, std::string_view path, std::string_view timestamp,
                        std::string_view canonical_body,
                        const std::array<uint8_t, kAgentSecretKeyBytes>& secret_key);

// Lowercase hex of bytes, and its inverse (either case; false on odd length or
// a non-hex character).
std::string HexEncode(std::string_view bytes);
bool HexDecode(std::string_view hex, std::string& out);

}  // namespace aura::gateway
