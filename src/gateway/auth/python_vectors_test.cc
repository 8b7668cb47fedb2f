// Checks the canonical JSON and the signature check against Python itself:
// testdata/make_vectors.py (run by Debian's /usr/bin/python3 with PyNaCl)
// prints bodies, Python's canonical form and PyNaCl signatures; every one
// must match byte for byte and verify, and tampering must fail.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/auth/canonical_json.h"
#include "gateway/auth/signature.h"

#ifndef AURA_AUTH_TESTDATA_DIR
#error "AURA_AUTH_TESTDATA_DIR must point at src/gateway/auth/testdata"
#endif

namespace aura::gateway {
namespace {

constexpr int64_t kVectorTime = 1'700'000'000;

struct Vector {
  std::string name;
  std::string body;
  bool ok = false;
  std::string canonical;
  std::string method, path, timestamp, did, signature;
};

std::string FromHex(const std::string& hex) {
  std::string out;
  EXPECT_TRUE(HexDecode(hex, out)) << hex;
  return out;
}

// Runs the generator once per process.
const std::vector<Vector>& Vectors() {
  static const std::vector<Vector> vectors = [] {
    std::vector<Vector> out;
    const std::string cmd =
        std::string("/usr/bin/python3 ") + AURA_AUTH_TESTDATA_DIR + "/make_vectors.py 600";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) return out;
    std::string text;
    char buf[65536];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof(buf), pipe.get())) > 0) text.append(buf, n);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      auto j = nlohmann::json::parse(text.substr(start, end - start));
      start = end + 1;
      Vector v;
      v.name = j.at("name").get<std::string>();
      v.body = FromHex(j.at("body_hex").get<std::string>());
      v.ok = j.at("ok").get<bool>();
      if (v.ok) {
        v.canonical = FromHex(j.at("canonical_hex").get<std::string>());
        v.method = j.at("method").get<std::string>();
        v.path = j.at("path").get<std::string>();
        v.timestamp = j.at("timestamp").get<std::string>();
        v.did = j.at("did").get<std::string>();
        v.signature = j.at("signature").get<std::string>();
      }
      out.push_back(std::move(v));
    }
    return out;
  }();
  return vectors;
}

TEST(CanonicalJson, GeneratorRuns) {
  ASSERT_GE(Vectors().size(), 600u) << "make_vectors.py printed too little; is python3-nacl installed?";
}

TEST(CanonicalJson, MatchesPythonByteForByte) {
  int accepted = 0, rejected = 0;
  for (const Vector& v : Vectors()) {
    auto canonical = CanonicalJson(v.body);
    if (v.name.starts_with("deviation_")) {
      EXPECT_FALSE(canonical.ok()) << v.name << " is not UTF-8 and must be rejected";
      continue;
    }
    if (v.ok) {
      ASSERT_TRUE(canonical.ok()) << v.name << ": " << canonical.status().ToString();
      EXPECT_EQ(*canonical, v.canonical) << v.name << "\nbody: " << v.body;
      ++accepted;
    } else {
      EXPECT_FALSE(canonical.ok()) << v.name << " is rejected by Python but gave " << *canonical;
      if (!canonical.ok()) {
        EXPECT_EQ(canonical.status().code(), common::StatusCode::kInvalidArgument) << v.name;
      }
      ++rejected;
    }
  }
  EXPECT_GT(accepted, 500);
  EXPECT_GT(rejected, 15);
}

TEST(SignatureVerifier, VerifiesEveryPythonSignature) {
  SignatureVerifier verifier;
  for (const Vector& v : Vectors()) {
    if (!v.ok || v.name.starts_with("deviation_")) continue;
    auto canonical = CanonicalJson(v.body);
    ASSERT_TRUE(canonical.ok()) << v.name;
    auto agent = verifier.Verify(v.method, v.path, {v.did, v.timestamp, v.signature},
                                 Sha256Hex(*canonical), kVectorTime);
    ASSERT_TRUE(agent.ok()) << v.name << ": " << agent.status().ToString();
    std::string lower_did = v.did;
    for (char& c : lower_did) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(agent->did, lower_did);
  }
}

TEST(SignatureVerifier, RejectsTamperedPythonRequests) {
  SignatureVerifier verifier;
  int checked = 0;
  for (const Vector& v : Vectors()) {
    if (!v.ok) continue;
    const std::string hash = Sha256Hex(v.canonical);
    // Another body (one more member or another value) hashes differently.
    auto tampered_body = Sha256Hex(v.canonical + " ");
    auto r1 = verifier.Verify(v.method, v.path, {v.did, v.timestamp, v.signature}, tampered_body,
                              kVectorTime);
    ASSERT_FALSE(r1.ok()) << v.name;
    EXPECT_EQ(r1.status().message(), "Invalid signature");
    auto r2 = verifier.Verify(v.method, v.path + "x", {v.did, v.timestamp, v.signature}, hash,
                              kVectorTime);
    ASSERT_FALSE(r2.ok()) << v.name;
    EXPECT_EQ(r2.status().message(), "Invalid signature");
    const std::string other_ts = std::to_string(kVectorTime + 1);
    auto r3 = verifier.Verify(v.method, v.path, {v.did, other_ts, v.signature}, hash, kVectorTime);
    ASSERT_FALSE(r3.ok()) << v.name;
    EXPECT_EQ(r3.status().code(), common::StatusCode::kUnauthenticated);
    EXPECT_EQ(r3.status().message(), "Invalid signature");
    auto r4 = verifier.Verify("GET", v.path, {v.did, v.timestamp, v.signature}, hash, kVectorTime);
    EXPECT_FALSE(r4.ok()) << v.name;
    if (++checked == 60) break;
  }
  EXPECT_EQ(checked, 60);
}

}  // namespace
}  // namespace aura::gateway
