// File: cli/request_signing.h
//
// Signs gateway requests the way every Aura agent client does (DESIGN §3):
// the message is METHOD + PATH + TIMESTAMP + hex(sha256(canonical_body)),
// signed with the agent's Ed25519 key, sent as X-Agent-ID / X-Timestamp /
// X-Signature.
//
//   std::string body = CanonicalBody(nlohmann::json{{"item_id", "hotel_alpha"}, ...});
//   SignedHeaders h = SignGatewayRequest(key, "POST", "/v1/negotiate", body, now_unix);
//
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/agent_key.h"

namespace aura::cli {

struct SignedHeaders {
  std::string agent_id;   // X-Agent-ID
  std::string timestamp;  // X-Timestamp
  std::string signature;  // X-Signature
};

// The body text a client sends: the JSON in the canonical form the gateway
// hashes (sorted keys, no spaces, non-ASCII escaped), so what is sent is what
// is signed.
std::string CanonicalBody(const nlohmann::json& body);

// Signs one request. `body` is the exact body text (empty for GET).
SignedHeaders SignGatewayRequest(const AgentKey& key, std::string_view method,
                                 std::string_view path, std::string_view body,
                                 int64_t unix_seconds);

}  // namespace aura::cli
