#include "gateway/auth/signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "gateway/auth/canonical_json.h"

namespace aura::gateway {
namespace {

constexpr int64_t kNow = 1'700'000'000;

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

class SignatureVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::array<uint8_t, kAgentSeedBytes> seed{};
    seed.fill(7);
    keys_ = KeypairFromSeed(seed);
    did_ = DidFromPublicKey(keys_.public_key);
    canonical_ = CanonicalJson(R"({"item_id":"h1","bid_amount":850.0})").value();
    ts_ = std::to_string(kNow);
    sig_ = SignRequest("POST", "/v1/negotiate", ts_, canonical_, keys_.secret_key);
  }

  common::Result<VerifiedAgent> Verify(std::string_view did, std::string_view ts, std::string_view sig,
                                       int64_t now = kNow) {
    return verifier_.Verify("POST", "/v1/negotiate", {did, ts, sig}, Sha256Hex(canonical_), now);
  }

  void ExpectFailure(const common::Result<VerifiedAgent>& r, std::string_view message) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), common::StatusCode::kUnauthenticated);
    EXPECT_EQ(r.status().message(), message);
  }

  SignatureVerifier verifier_;
  AgentKeypair keys_;
  std::string did_, canonical_, ts_, sig_;
};

TEST_F(SignatureVerifierTest, AcceptsValidSignature) {
  auto r = Verify(did_, ts_, sig_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->did, did_);
  EXPECT_EQ(r->signature_hex, sig_);
}

TEST_F(SignatureVerifierTest, AcceptsUppercaseHexAndNormalisesIt) {
  std::string upper_did = "did:key:" + Upper(did_.substr(8));
  auto r = Verify(upper_did, ts_, Upper(sig_));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->did, did_);
  EXPECT_EQ(r->signature_hex, sig_);
}

TEST_F(SignatureVerifierTest, NamesTheMissingHeader) {
  ExpectFailure(Verify("", ts_, sig_), "Missing X-Agent-ID header");
  ExpectFailure(Verify(did_, "", sig_), "Missing X-Timestamp header");
  ExpectFailure(Verify(did_, ts_, ""), "Missing X-Signature header");
}

TEST_F(SignatureVerifierTest, RejectsMalformedDid) {
  ExpectFailure(Verify("did:web:" + did_.substr(8), ts_, sig_), "Invalid agent DID format");
  ExpectFailure(Verify(did_.substr(0, did_.size() - 1), ts_, sig_), "Invalid agent DID format");
  ExpectFailure(Verify(did_ + "0", ts_, sig_), "Invalid agent DID format");
  std::string bad = did_;
  bad.back() = 'g';
  ExpectFailure(Verify(bad, ts_, sig_), "Invalid agent DID format");
}

TEST_F(SignatureVerifierTest, ChecksTimestampFormatAndWindow) {
  ExpectFailure(Verify(did_, "abc", sig_), "Invalid timestamp");
  ExpectFailure(Verify(did_, "1700000000.5", sig_), "Invalid timestamp");
  ExpectFailure(Verify(did_, "99999999999999999999999", sig_), "Invalid timestamp");
  // ±60 s inclusive: the signature itself is checked only inside the window.
  ExpectFailure(Verify(did_, ts_, sig_, kNow + 61), "Request timestamp outside the allowed window");
  ExpectFailure(Verify(did_, ts_, sig_, kNow - 61), "Request timestamp outside the allowed window");
  EXPECT_TRUE(Verify(did_, ts_, sig_, kNow + 60).ok());
  EXPECT_TRUE(Verify(did_, ts_, sig_, kNow - 60).ok());
}

TEST_F(SignatureVerifierTest, SkewIsConfigurable) {
  SignatureVerifier strict(SignatureVerifierOptions{.skew = std::chrono::seconds(5)});
  auto r = strict.Verify("POST", "/v1/negotiate", {did_, ts_, sig_}, Sha256Hex(canonical_), kNow + 6);
  ExpectFailure(r, "Request timestamp outside the allowed window");
}

TEST_F(SignatureVerifierTest, RejectsBadSignatureEncoding) {
  ExpectFailure(Verify(did_, ts_, "zz" + sig_.substr(2)), "Invalid signature encoding");
  ExpectFailure(Verify(did_, ts_, sig_.substr(2)), "Invalid signature encoding");
  ExpectFailure(Verify(did_, ts_, sig_ + "00"), "Invalid signature encoding");
  ExpectFailure(Verify(did_, ts_, sig_.substr(1)), "Invalid signature encoding");
}

TEST_F(SignatureVerifierTest, RejectsWrongSignature) {
  std::string flipped = sig_;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  ExpectFailure(Verify(did_, ts_, flipped), "Invalid signature");
  // Someone else's key.
  AgentKeypair other = GenerateKeypair();
  ExpectFailure(Verify(DidFromPublicKey(other.public_key), ts_, sig_), "Invalid signature");
  // Tampered body, path, method, timestamp.
  auto r = verifier_.Verify("POST", "/v1/negotiate", {did_, ts_, sig_},
                            Sha256Hex(CanonicalJson(R"({"item_id":"h1","bid_amount":1.0})").value()), kNow);
  ExpectFailure(r, "Invalid signature");
  r = verifier_.Verify("POST", "/v1/search", {did_, ts_, sig_}, Sha256Hex(canonical_), kNow);
  ExpectFailure(r, "Invalid signature");
  r = verifier_.Verify("PUT", "/v1/negotiate", {did_, ts_, sig_}, Sha256Hex(canonical_), kNow);
  ExpectFailure(r, "Invalid signature");
  ExpectFailure(Verify(did_, std::to_string(kNow + 1), sig_), "Invalid signature");
}

TEST(Sha256Hex, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HexDecode, RejectsOddLengthAndNonHex) {
  std::string out;
  EXPECT_TRUE(HexDecode("00ffAB", out));
  EXPECT_EQ(out, std::string("\x00\xff\xab", 3));
  EXPECT_FALSE(HexDecode("abc", out));
  EXPECT_FALSE(HexDecode("0g", out));
  EXPECT_EQ(HexEncode(std::string("\x00\xff\xab", 3)), "00ffab");
}

TEST(SignRequest, MessageIsMethodPathTimestampBodyHash) {
  EXPECT_EQ(SignatureMessage("POST", "/v1/search", "17", "{}"), "POST/v1/search17" + Sha256Hex("{}"));
}

}  // namespace
}  // namespace aura::gateway
