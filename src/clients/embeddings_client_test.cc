#include "clients/embeddings_client.h"

#include <gtest/gtest.h>

#include "fake_llm_server.h"

namespace aura::clients {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class EmbeddingsClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.Start().ok()); }

  EmbeddingsClientOptions Options(size_t batch = 2) const {
    return {.api = {.endpoint = {.provider = Provider::kMistral,
                                 .base_url = fake_.base_url(),
                                 .model = "mistral-embed",
                                 .api_key = "embed-key"},
                    .http = {.retry = {.max_attempts = 3, .initial_backoff = milliseconds(10)}},
                    .breaker = {.failure_threshold = 3, .cool_down = std::chrono::hours(1)}},
            .max_batch = batch};
  }

  fakes::FakeLlmServer fake_;
};

TEST_F(EmbeddingsClientTest, BatchesInputsAndKeepsTheirOrder) {
  ASSERT_TRUE(fake_.ScriptEmbeddings(json::array({{{"reverse", true}, {"times", 3}}})).ok());
  EmbeddingsClient client(Options(2));
  const std::vector<std::string> inputs = {"a", "b", "c", "d", "e"};
  auto r = client.Embed(inputs, Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 5u);
  json requests = fake_.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["body"]["model"], "mistral-embed");
  EXPECT_EQ(requests[0]["body"]["input"], json::array({"a", "b"}));
  EXPECT_EQ(requests[2]["body"]["input"], json::array({"e"}));
  EXPECT_EQ(requests[0]["headers"]["Authorization"], "Bearer embed-key");
  // Same text, same vector, whatever the batch and order.
  auto again = client.Embed({"c"}, Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0], (*r)[2]);
  EXPECT_NE((*r)[0], (*r)[1]);
  EXPECT_EQ((*r)[0].size(), 8u);
  EXPECT_EQ(client.total_tokens(), 5 * 4 + 4);
}

TEST_F(EmbeddingsClientTest, EmptyInputMakesNoCall) {
  EmbeddingsClient client(Options());
  auto r = client.Embed({}, Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(fake_.Requests().size(), 0u);
}

TEST_F(EmbeddingsClientTest, RetriesServerErrorsAndResets) {
  ASSERT_TRUE(fake_.ScriptEmbeddings(json::array({{{"status", 503}}, {{"reset", true}}})).ok());
  EmbeddingsClient client(Options());
  auto r = client.Embed({"sea view"}, Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // libcurl itself retries a request whose reused connection was reset, so
  // the reset may cost no retry of ours.
  EXPECT_GE(client.http_stats().retries, 1u);
  EXPECT_EQ(fake_.Requests().size(), 3u);
}

TEST_F(EmbeddingsClientTest, WrongVectorCountIsInternal) {
  ASSERT_TRUE(fake_.ScriptEmbeddings(json::array(
                  {{{"raw", R"({"data": [{"index": 0, "embedding": [1.0, 2.0]}]})"}}}))
                  .ok());
  EmbeddingsClient client(Options());
  auto r = client.Embed({"a", "b"}, Deadline::After(milliseconds(5000)));
  EXPECT_EQ(r.status().code(), common::StatusCode::kInternal);
}

TEST_F(EmbeddingsClientTest, BreakerOpensAfterRepeatedFailures) {
  ASSERT_TRUE(fake_.ScriptEmbeddings(json::array({{{"status", 500}, {"times", 20}}})).ok());
  EmbeddingsClientOptions options = Options();
  options.api.http.retry.max_attempts = 1;
  EmbeddingsClient client(options);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(client.Embed({"x"}, Deadline::After(milliseconds(5000))).ok());
  EXPECT_EQ(client.breaker().state(), CircuitBreaker::State::kOpen);
  EXPECT_EQ(client.Embed({"x"}, Deadline::After(milliseconds(5000))).status().code(),
            common::StatusCode::kUnavailable);
  EXPECT_EQ(fake_.Requests().size(), 3u);
}

TEST(MakeEmbeddingsClient, UsesTheNamedModelAndConfiguredKeys) {
  common::Config config;
  config.llm.api_key = "k";
  auto client = MakeEmbeddingsClient(config, "mistral/mistral-embed");
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->endpoint().model, "mistral-embed");
  EXPECT_EQ((*client)->endpoint().base_url, kMistralBaseUrl);
}

}  // namespace
}  // namespace aura::clients
