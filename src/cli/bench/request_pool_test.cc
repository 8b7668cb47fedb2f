#include "cli/bench/request_pool.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/bench/load_generator.h"
#include "gateway/auth/canonical_json.h"
#include "gateway/auth/signature.h"

namespace aura::cli {
namespace {

// Splits a prepared request into its headers and body.
struct Parsed {
  std::map<std::string, std::string> headers;
  std::string body;
};

Parsed Parse(const std::string& bytes) {
  Parsed p;
  size_t head_end = bytes.find("\r\n\r\n");
  p.body = bytes.substr(head_end + 4);
  size_t pos = bytes.find("\r\n") + 2;
  while (pos < head_end) {
    size_t eol = bytes.find("\r\n", pos);
    std::string line = bytes.substr(pos, eol - pos);
    size_t colon = line.find(": ");
    p.headers[line.substr(0, colon)] = line.substr(colon + 2);
    pos = eol + 2;
  }
  return p;
}

TEST(ParseOutcomeMix, AcceptsNamedWeights) {
  auto mix = ParseOutcomeMix("countered=1,accepted=3");
  ASSERT_TRUE(mix.ok());
  EXPECT_EQ(mix->weights, (std::array<double, 4>{3, 1, 0, 0}));
}

TEST(ParseOutcomeMix, RefusesBadInput) {
  for (const char* bad : {"", "accepted", "accepted=-1", "bought=1", "accepted=0", "accepted=1,accepted=2",
                          "accepted=1x"}) {
    EXPECT_FALSE(ParseOutcomeMix(bad).ok()) << bad;
  }
}

TEST(RequestFactory, OutcomesFollowTheWeights) {
  RequestFactoryOptions options;
  options.mix.weights = {50, 30, 15, 5};
  options.agents = 1;
  RequestFactory factory(options);
  std::array<int, 4> counts{};
  constexpr int kN = 100000;
  for (uint64_t i = 0; i < kN; ++i) ++counts[static_cast<size_t>(factory.OutcomeFor(i))];
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(counts[i] / static_cast<double>(kN), options.mix.weights[i] / 100.0, 0.01) << i;
  }
}

TEST(RequestFactory, EveryRequestIsUniqueSignedAndVerifiable) {
  RequestFactoryOptions options;
  options.host_header = "127.0.0.1:8123";
  options.agents = 3;
  RequestFactory factory(options);
  gateway::SignatureVerifier verifier;
  std::set<std::string> signatures;
  std::set<std::string> agents;
  for (int i = 0; i < 200; ++i) {
    PreparedRequest r = factory.Make();
    ASSERT_EQ(r.bytes.rfind("POST /v1/negotiate HTTP/1.1\r\nHost: 127.0.0.1:8123\r\n", 0), 0u);
    Parsed p = Parse(r.bytes);
    EXPECT_EQ(p.headers["Content-Length"], std::to_string(p.body.size()));
    auto canonical = gateway::CanonicalJson(p.body);
    ASSERT_TRUE(canonical.ok());
    auto agent = verifier.Verify("POST", "/v1/negotiate",
                                 {p.headers["X-Agent-ID"], p.headers["X-Timestamp"], p.headers["X-Signature"]},
                                 gateway::Sha256Hex(*canonical), r.signed_at);
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    signatures.insert(p.headers["X-Signature"]);
    agents.insert(agent->did);
    auto body = nlohmann::json::parse(p.body);
    double bid = body["bid_amount"].get<double>();
    switch (r.expected) {
      case BenchOutcome::kAccepted: EXPECT_TRUE(bid >= 850 && bid < 851) << bid; break;
      case BenchOutcome::kCountered: EXPECT_LT(bid, 800); break;
      case BenchOutcome::kUiRequired: EXPECT_GT(bid, 1000); break;
      case BenchOutcome::kRejected: EXPECT_EQ(body["item_id"], options.unknown_item_id); break;
    }
  }
  EXPECT_EQ(signatures.size(), 200u);
  EXPECT_EQ(agents.size(), 3u);
}

TEST(RequestPool, PrefillsThenSignsInlineWhenEmpty) {
  RequestFactoryOptions options;
  options.agents = 1;
  RequestFactory factory(options);
  RequestPool pool(factory, {.target_size = 10, .prefill_threads = 2});
  pool.Prefill();
  EXPECT_EQ(pool.size(), 10u);
  for (int i = 0; i < 12; ++i) EXPECT_FALSE(pool.Take().bytes.empty());
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(pool.signed_inline(), 2u);
}

TEST(ParseHttpUrl, HostAndPort) {
  auto hp = ParseHttpUrl("http://127.0.0.1:8000");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, "8000");
  EXPECT_EQ(ParseHttpUrl("http://gw/")->port, "80");
  EXPECT_EQ(ParseHttpUrl("http://[::1]:9000")->host, "::1");
  for (const char* bad : {"https://x:1", "x:1", "http://x:port", "http://x:1/api", "http://:80", "http://x:70000"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

TEST(FindReplyStatus, FindsTheStatusField) {
  EXPECT_EQ(FindReplyStatus(R"({"session_token":"s","status":"accepted","data":{}})"), "accepted");
  EXPECT_EQ(FindReplyStatus(R"({"status": "ui_required"})"), "ui_required");
  EXPECT_EQ(FindReplyStatus(R"({"detail":"x"})"), "");
  EXPECT_EQ(FindReplyStatus(R"({"status":)"), "");
}

}  // namespace
}  // namespace aura::cli
