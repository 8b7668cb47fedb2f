#include "cli/request_signing.h"

#include "gateway/auth/canonical_json.h"
#include "gateway/auth/signature.h"

namespace aura::cli {

std::string CanonicalBody(const nlohmann::json& body) {
  // Sorted keys (nlohmann objects are ordered maps), no spaces, non-ASCII
  // escaped. Signatures are computed over the gateway's own canonical form
  // (SignGatewayRequest), so this only needs to be valid JSON; being close to
  // canonical keeps what is sent readable next to what is signed.
  return body.dump(-1, ' ', /*ensure_ascii=*/true);
}

SignedHeaders SignGatewayRequest(const AgentKey& key, std::string_view method,
                                 std::string_view path, std::string_view body,
                                 int64_t unix_seconds) {
  std::string ts = std::to_string(unix_seconds);
  // The gateway hashes the canonical form of the body, not the bytes sent.
  auto canonical = gateway::CanonicalJson(body);
  std::string canonical_text = canonical.ok() ? std::move(canonical).value() : std::string(body);
  return SignedHeaders{key.did(), ts,
                       gateway::SignRequest(method, path, ts, canonical_text, key.secret_key())};
}

}  // namespace aura::cli
