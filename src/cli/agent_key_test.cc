#include "cli/agent_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/request_signing.h"
#include "gateway/auth/canonical_json.h"
#include "gateway/auth/signature.h"

namespace aura::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aura-cli-key-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(AgentKey, SaveWritesMode0600EvenWithAPermissiveUmask) {
  TempDir dir;
  auto key = AgentKey::Generate();
  ASSERT_TRUE(key.ok());
  mode_t old = ::umask(0);
  common::Status saved = key->Save(dir.File("nested/agent.key"), /*overwrite=*/false);
  ::umask(old);
  ASSERT_TRUE(saved.ok()) << saved.ToString();
  EXPECT_EQ(ModeOf(dir.File("nested/agent.key")), 0600u);
}

TEST(AgentKey, OverwriteResetsModeOfAnExistingFile) {
  TempDir dir;
  std::string path = dir.File("agent.key");
  { std::ofstream(path) << "old"; }
  ::chmod(path.c_str(), 0644);
  auto key = AgentKey::Generate();
  ASSERT_TRUE(key->Save(path, /*overwrite=*/true).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST(AgentKey, RefusesToOverwriteWithoutForce) {
  TempDir dir;
  std::string path = dir.File("agent.key");
  auto first = AgentKey::Generate();
  ASSERT_TRUE(first->Save(path, false).ok());
  auto second = AgentKey::Generate();
  common::Status s = second->Save(path, false);
  EXPECT_EQ(s.code(), common::StatusCode::kAlreadyExists);
  auto loaded = AgentKey::Load(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->did(), first->did());
}

TEST(AgentKey, LoadRoundTripsAndDidHasTheContractShape) {
  TempDir dir;
  std::string path = dir.File("agent.key");
  auto key = AgentKey::Generate();
  ASSERT_TRUE(key->Save(path, false).ok());
  auto loaded = AgentKey::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->did(), key->did());
  EXPECT_EQ(loaded->secret_key(), key->secret_key());
  ASSERT_EQ(key->did().size(), 8u + 64u);
  EXPECT_EQ(key->did().rfind("did:key:", 0), 0u);
  EXPECT_EQ(key->did().substr(8), key->PublicKeyHex());
}

TEST(AgentKey, LoadReportsMissingAndMalformedFiles) {
  TempDir dir;
  EXPECT_EQ(AgentKey::Load(dir.File("none.key")).status().code(), common::StatusCode::kNotFound);
  std::string bad = dir.File("bad.key");
  { std::ofstream(bad) << "{\"seed\": \"xyz\"}"; }
  EXPECT_EQ(AgentKey::Load(bad).status().code(), common::StatusCode::kInvalidArgument);
  std::string mismatched = dir.File("mismatch.key");
  {
    std::ofstream(mismatched) << "{\"seed\": \"" << std::string(64, '1') << "\", \"did\": \"did:key:"
                              << std::string(64, '0') << "\"}";
  }
  EXPECT_EQ(AgentKey::Load(mismatched).status().code(), common::StatusCode::kInvalidArgument);
}

TEST(AgentKey, SeedGivesTheSameKeyAsPyNaCl) {
  // RFC 8032 test 1: this seed's public key.
  auto key = AgentKey::FromSeedHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->PublicKeyHex(), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

TEST(SignGatewayRequest, VerifiesWithTheGatewayVerifier) {
  auto key = AgentKey::Generate();
  ASSERT_TRUE(key.ok());
  std::string body = CanonicalBody({{"item_id", "hotel_alpha"}, {"bid_amount", 850.0}, {"currency", "USD"}});
  SignedHeaders h = SignGatewayRequest(*key, "POST", "/v1/negotiate", body, 1'700'000'000);
  gateway::SignatureVerifier verifier;
  auto canonical = gateway::CanonicalJson(body);
  ASSERT_TRUE(canonical.ok());
  auto agent = verifier.Verify("POST", "/v1/negotiate", {h.agent_id, h.timestamp, h.signature},
                               gateway::Sha256Hex(*canonical), 1'700'000'010);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  EXPECT_EQ(agent->did, key->did());
  // The body is sent in its canonical form: what is sent is what is signed.
  EXPECT_EQ(*canonical, body);
}

}  // namespace
}  // namespace aura::cli
