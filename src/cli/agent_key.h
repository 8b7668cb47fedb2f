// File: cli/agent_key.h
//
// AgentKey: the Ed25519 identity a buyer agent signs its requests with, and
// its key file. The file is JSON, readable by any client:
//   {"did": "did:key:<64 hex>", "public_key": "<64 hex>", "seed": "<64 hex>"}
// where `seed` is the 32-byte Ed25519 seed (PyNaCl's SigningKey bytes). It is
// created with permissions 0600 and never overwritten unless asked.
//
//   AURA_ASSIGN_OR_RETURN(AgentKey key, AgentKey::Generate());
//   AURA_RETURN_IF_ERROR(key.Save("aura-data/agent.key", /*overwrite=*/false));
//   AURA_ASSIGN_OR_RETURN(AgentKey same, AgentKey::Load("aura-data/agent.key"));
//   std::string did = same.did();
//
// Thread-compatible value.
//
// Status codes: ALREADY_EXISTS when Save would overwrite; NOT_FOUND when the
// file is missing; INVALID_ARGUMENT for a malformed file or seed;
// PERMISSION_DENIED / INTERNAL for file-system errors.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace aura::cli {

class AgentKey {
 public:
  static common::Result<AgentKey> Generate();
  static common::Result<AgentKey> FromSeedHex(const std::string& seed_hex);
  static common::Result<AgentKey> Load(const std::string& path);
  // Writes the key file with mode 0600 (creating parent directories).
  common::Status Save(const std::string& path, bool overwrite) const;

  // "did:key:" + lowercase hex of the public key.
  const std::string& did() const { return did_; }
  std::string SeedHex() const;
  std::string PublicKeyHex() const;
  // libsodium's 64-byte secret key (seed followed by the public key).
  const std::array<uint8_t, 64>& secret_key() const { return secret_key_; }
  const std::array<uint8_t, 32>& public_key() const { return public_key_; }

 private:
  AgentKey() = default;
  static common::Result<AgentKey> FromSeed(const std::array<uint8_t, 32>& seed);

  std::array<uint8_t, 64> secret_key_{};
  std::array<uint8_t, 32> public_key_{};
  std::string did_;
};

}  // namespace aura::cli
