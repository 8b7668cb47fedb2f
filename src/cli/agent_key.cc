#include "cli/agent_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gateway/auth/signature.h"

namespace aura::cli {
namespace {

using common::Result;
using common::Status;

std::string Hex(const uint8_t* data, size_t size) {
  return gateway::HexEncode(std::string_view(reinterpret_cast<const char*>(data), size));
}

}  // namespace

Result<AgentKey> AgentKey::FromSeed(const std::array<uint8_t, 32>& seed) {
  gateway::AgentKeypair pair = gateway::KeypairFromSeed(seed);
  AgentKey key;
  key.secret_key_ = pair.secret_key;
  key.public_key_ = pair.public_key;
  key.did_ = gateway::DidFromPublicKey(pair.public_key);
  sodium_memzero(pair.secret_key.data(), pair.secret_key.size());
  return key;
}

Result<AgentKey> AgentKey::Generate() {
  gateway::AgentKeypair pair = gateway::GenerateKeypair();
  std::array<uint8_t, 32> seed{};
  std::copy_n(pair.secret_key.begin(), seed.size(), seed.begin());
  sodium_memzero(pair.secret_key.data(), pair.secret_key.size());
  auto key = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Result<AgentKey> AgentKey::FromSeedHex(const std::string& seed_hex) {
  std::string bytes;
  if (seed_hex.size() != 64 || !gateway::HexDecode(seed_hex, bytes) || bytes.size() != 32) {
    return common::InvalidArgumentError("seed must be 64 hex characters (32 bytes)");
  }
  std::array<uint8_t, 32> seed{};
  std::copy_n(reinterpret_cast<const uint8_t*>(bytes.data()), seed.size(), seed.begin());
  sodium_memzero(bytes.data(), bytes.size());
  auto key = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

std::string AgentKey::SeedHex() const { return Hex(secret_key_.data(), 32); }

std::string AgentKey::PublicKeyHex() const {
  return Hex(public_key_.data(), public_key_.size());
}

Result<AgentKey> AgentKey::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return common::NotFoundError("no key file at " + path);
  std::ifstream in(path);
  if (!in) {
    return Status(common::StatusCode::kPermissionDenied, "cannot read key file " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("seed") || !doc["seed"].is_string()) {
    return common::InvalidArgumentError(path + " is not an agent key file (expected JSON with a \"seed\")");
  }
  auto key = FromSeedHex(doc["seed"].get<std::string>());
  if (!key.ok()) return common::InvalidArgumentError(path + ": " + key.status().message());
  if (doc.contains("did") && doc["did"].is_string() && doc["did"].get<std::string>() != key->did()) {
    return common::InvalidArgumentError(path + ": \"did\" does not match the seed");
  }
  return key;
}

Status AgentKey::Save(const std::string& path, bool overwrite) const {
  std::error_code ec;
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) {
    return common::InternalError("cannot create " + p.parent_path().string() + ": " + ec.message());
  }
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return common::AlreadyExistsError(path + " already exists (use --force to replace it)");
    }
    return Status(common::StatusCode::kPermissionDenied,
                  "cannot write " + path + ": " + std::strerror(errno));
  }
  // O_CREAT honours the umask and an existing file keeps its mode: force 0600.
  ::fchmod(fd, 0600);
  nlohmann::json doc = {{"did", did_}, {"public_key", PublicKeyHex()}, {"seed", SeedHex()}};
  std::string text = doc.dump(2) + "\n";
  const char* data = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return common::InternalError("cannot write " + path + ": " + std::strerror(err));
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return common::InternalError("cannot close " + path);
  return common::OkStatus();
}

}  // namespace aura::cli
