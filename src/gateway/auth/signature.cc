#include "gateway/auth/signature.h"

#include <sodium.h>

#include <charconv>
#include <cstdlib>
#include <iostream>

namespace aura::gateway {

namespace {

constexpr std::string_view kDidPrefix = "did:key:";
// 18 digits always fit in int64; real timestamps have 10.
constexpr size_t kMaxTimestampDigits = 18;

void EnsureSodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      std::cerr << "libsodium failed to initialise\n";
      std::abort();
    }
    return true;
  }();
  (void)ready;
}

int HexNibble(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Header values arrive with surrounding spaces already trimmed by the HTTP
// layer; trim again so a direct caller gets the same answer.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xF];
  }
  return out;
}

bool HexDecode(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  out.resize(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexNibble(hex[2 * i]);
    int lo = HexNibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return true;
}

std::string Sha256Hex(std::string_view data) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

AgentKeypair GenerateKeypair() {
  EnsureSodium();
  AgentKeypair kp;
  crypto_sign_keypair(kp.public_key.data(), kp.secret_key.data());
  return kp;
}

AgentKeypair KeypairFromSeed(const std::array<uint8_t, kAgentSeedBytes>& seed) {
  EnsureSodium();
  AgentKeypair kp;
  crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(), seed.data());
  return kp;
}

std::string DidFromPublicKey(const std::array<uint8_t, kAgentPublicKeyBytes>& public_key) {
  return std::string(kDidPrefix) +
         HexEncode(std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
}

std::string SignatureMessage(std::string_view method, std::string_view path,
                             std::string_view timestamp, std::string_view canonical_body) {
  std::string message;
  message.reserve(method.size() + path.size() + timestamp.size() + 64);
  message.append(method).append(path).append(timestamp).append(Sha256Hex(canonical_body));
  return message;
}

std::string SignRequest(std::string_view method, std::string_view path, std::string_view timestamp,
                        std::string_view canonical_body,
                        const std::array<uint8_t, kAgentSecretKeyBytes>& secret_key) {
  EnsureSodium();
  std::string message = SignatureMessage(method, path, timestamp, canonical_body);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_key.data());
  return HexEncode(std::string_view(reinterpret_cast<const char*>(sig), sizeof(sig)));
}

SignatureVerifier::SignatureVerifier(SignatureVerifierOptions options) : options_(options) {
  EnsureSodium();
}

common::Result<VerifiedAgent> SignatureVerifier::Verify(std::string_view method,
                                                        std::string_view path,
                                                        const SignatureHeaders& headers,
                                                        std::string_view canonical_body_sha256_hex,
                                                        int64_t now_unix) const {
  const std::string_view agent_id = Trim(headers.agent_id);
  const std::string_view timestamp = Trim(headers.timestamp);
  const std::string_view signature = Trim(headers.signature);
  if (agent_id.empty()) return common::UnauthenticatedError("Missing X-Agent-ID header");
  if (timestamp.empty()) return common::UnauthenticatedError("Missing X-Timestamp header");
  if (signature.empty()) return common::UnauthenticatedError("Missing X-Signature header");

  std::string public_key;
  if (agent_id.size() != kDidPrefix.size() + 2 * kAgentPublicKeyBytes ||
      agent_id.substr(0, kDidPrefix.size()) != kDidPrefix ||
      !HexDecode(agent_id.substr(kDidPrefix.size()), public_key)) {
    return common::UnauthenticatedError("Invalid agent DID format");
  }

  // Decimal integer seconds, optionally signed (as Python's int() reads them).
  std::string_view digits = timestamp;
  if (digits.front() == '+' || digits.front() == '-') digits.remove_prefix(1);
  int64_t ts = 0;
  if (digits.empty() || digits.size() > kMaxTimestampDigits) {
    return common::UnauthenticatedError("Invalid timestamp");
  }
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ts);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    return common::UnauthenticatedError("Invalid timestamp");
  }
  if (timestamp.front() == '-') ts = -ts;
  const int64_t skew = options_.skew.count();
  if (ts < now_unix - skew || ts > now_unix + skew) {
    return common::UnauthenticatedError("Request timestamp outside the allowed window");
  }

  std::string sig;
  if (!HexDecode(signature, sig) || sig.size() != kSignatureBytes) {
    return common::UnauthenticatedError("Invalid signature encoding");
  }

  std::string message;
  message.reserve(method.size() + path.size() + timestamp.size() + canonical_body_sha256_hex.size());
  message.append(method).append(path).append(timestamp).append(canonical_body_sha256_hex);
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(),
                                  reinterpret_cast<const unsigned char*>(public_key.data())) != 0) {
    return common::UnauthenticatedError("Invalid signature");
  }
  return VerifiedAgent{
      .did = std::string(kDidPrefix) + HexEncode(public_key),
      .signature_hex = HexEncode(sig),
  };
}

}  // namespace aura::gateway
