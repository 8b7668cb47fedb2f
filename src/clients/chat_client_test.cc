#include "clients/chat_client.h"

#include <gtest/gtest.h>

#include "fake_llm_server.h"
#include "telemetry/api/provider.h"
#include "telemetry/exporters/memory/in_memory_span_exporter.h"
#include "telemetry/exporters/memory/span_capture.h"
#include "telemetry/sdk/simple_span_processor.h"
#include "telemetry/sdk/tracer_provider.h"

namespace aura::clients {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr char kKey[] = "sk-test-SECRET-0123456789";

class ChatClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.Start().ok()); }

  ApiClientOptions Options(int attempts = 3) const {
    return {.endpoint = {.provider = Provider::kMistral,
                         .base_url = fake_.base_url(),
                         .model = "mistral-small-latest",
                         .api_key = kKey},
            .http = {.retry = {.max_attempts = attempts,
                               .initial_backoff = milliseconds(10),
                               .max_backoff = milliseconds(40)},
                     .attempt_timeout = milliseconds(2000)},
            .breaker = {.failure_threshold = 3, .cool_down = std::chrono::hours(1)}};
  }

  static ChatRequest Request() {
    return {.messages = {{"system", "You price hotel rooms."}, {"user", R"({"q":1})"}},
            .temperature = 0.3,
            .json_object = true};
  }

  fakes::FakeLlmServer fake_;
};

TEST_F(ChatClientTest, SendsModelMessagesTemperatureFormatAndKey) {
  ChatClient chat(Options());
  auto r = chat.Complete(Request(), Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  json requests = fake_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const json& body = requests[0]["body"];
  EXPECT_EQ(requests[0]["path"], "/v1/chat/completions");
  EXPECT_EQ(body["model"], "mistral-small-latest");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.3);
  EXPECT_EQ(body["response_format"]["type"], "json_object");
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][1]["content"], R"({"q":1})");
  EXPECT_EQ(requests[0]["headers"]["Authorization"], std::string("Bearer ") + kKey);
}

TEST_F(ChatClientTest, ParsesContentFinishReasonAndUsage) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"content", "hello"}, {"finish_reason", "length"}}})).ok());
  ChatClient chat(Options());
  auto r = chat.Complete(Request(), Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content, "hello");
  EXPECT_EQ(r->finish_reason, "length");
  EXPECT_EQ(r->model, "mistral-small-latest");
  EXPECT_EQ(r->usage.prompt_tokens, 120);
  EXPECT_EQ(r->usage.completion_tokens, 30);
  EXPECT_EQ(r->usage.total_tokens, 150);
  EXPECT_EQ(r->attempts, 1);
}

TEST_F(ChatClientTest, RetriesRateLimitThenSucceeds) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 429}, {"headers", {{"Retry-After", "0"}}}},
                                            {{"content", "ok"}}}))
                  .ok());
  ChatClient chat(Options());
  auto r = chat.Complete(Request(), Deadline::After(milliseconds(5000)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content, "ok");
  EXPECT_EQ(r->attempts, 2);
}

TEST_F(ChatClientTest, MapsFinalHttpErrors) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 401}},
                                            {{"status", 429}, {"times", 3}},
                                            {{"status", 404}}}))
                  .ok());
  ApiClientOptions options = Options();
  options.breaker.failure_threshold = 100;  // 429s count as failures
  ChatClient chat(options);
  EXPECT_EQ(chat.Complete(Request(), Deadline::After(milliseconds(5000))).status().code(),
            common::StatusCode::kUnauthenticated);
  EXPECT_EQ(chat.Complete(Request(), Deadline::After(milliseconds(5000))).status().code(),
            common::StatusCode::kResourceExhausted);
  EXPECT_EQ(chat.Complete(Request(), Deadline::After(milliseconds(5000))).status().code(),
            common::StatusCode::kNotFound);
}

TEST_F(ChatClientTest, ABodyThatIsNotACompletionIsInternal) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"raw", "{\"choices\": []}"}}, {{"raw", "not json"}}}))
                  .ok());
  ChatClient chat(Options());
  EXPECT_EQ(chat.Complete(Request(), Deadline::After(milliseconds(5000))).status().code(),
            common::StatusCode::kInternal);
  EXPECT_EQ(chat.Complete(Request(), Deadline::After(milliseconds(5000))).status().code(),
            common::StatusCode::kInternal);
}

TEST_F(ChatClientTest, ServerErrorsOpenTheBreaker) {
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 500}, {"times", 10}}})).ok());
  ChatClient chat(Options(/*attempts=*/1));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(chat.Complete(Request(), Deadline::After(milliseconds(5000))).status().code(),
              common::StatusCode::kUnavailable);
  }
  EXPECT_EQ(chat.breaker().state(), CircuitBreaker::State::kOpen);
  auto r = chat.Complete(Request(), Deadline::After(milliseconds(5000)));
  EXPECT_EQ(r.status().code(), common::StatusCode::kUnavailable);
  EXPECT_EQ(fake_.Requests().size(), 3u);
}

TEST_F(ChatClientTest, TheKeyNeverAppearsInErrors) {
  const json cases = json::array({
      json::array({{{"status", 401}}}),
      json::array({{{"status", 500}, {"times", 5}}}),
      json::array({{{"reset", true}, {"times", 8}}}),
      json::array({{{"delay_ms", 1500}, {"times", 5}}}),
      json::array({{{"raw", std::string("{\"echo\": \"") + kKey + "\"}"}}}),
  });
  ApiClientOptions options = Options();
  options.breaker.failure_threshold = 100;
  options.http.attempt_timeout = milliseconds(300);
  ChatClient chat(options);
  for (const json& steps : cases) {
    ASSERT_TRUE(fake_.Reset().ok());
    ASSERT_TRUE(fake_.ScriptChat(steps).ok());
    auto r = chat.Complete(Request(), Deadline::After(milliseconds(1000)));
    ASSERT_FALSE(r.ok()) << steps.dump();
    EXPECT_EQ(r.status().ToString().find(kKey), std::string::npos) << r.status().ToString();
    EXPECT_EQ(r.status().ToString().find("SECRET"), std::string::npos);
  }
}

TEST_F(ChatClientTest, RecordsASpanAndMetricsWithoutTheKey) {
  telemetry::exporters::SpanCapture capture;
  auto& spans = capture.spans;
  auto& provider = capture.provider;
  common::MetricsRegistry registry;
  common::LlmMetrics metrics(registry);
  ApiClientOptions options = Options();
  options.metrics = &metrics;
  options.metrics_model = "mistral/mistral-small-latest";
  ChatClient chat(options);
  ASSERT_TRUE(chat.Complete(Request(), Deadline::After(milliseconds(5000))).ok());
  ASSERT_TRUE(fake_.ScriptChat(json::array({{{"status", 401}}})).ok());
  ASSERT_FALSE(chat.Complete(Request(), Deadline::After(milliseconds(5000))).ok());
  provider->ForceFlush();

  auto all = spans->GetSpans();
  ASSERT_EQ(all.size(), 2u);
  const auto& ok = all[0];
  EXPECT_EQ(ok.name, "chat mistral-small-latest");
  EXPECT_EQ(ok.kind, telemetry::SpanKind::kClient);
  ASSERT_NE(ok.FindAttribute("gen_ai.usage.input_tokens"), nullptr);
  EXPECT_EQ(std::get<int64_t>(*ok.FindAttribute("gen_ai.usage.input_tokens")), 120);
  EXPECT_EQ(std::get<std::string>(*ok.FindAttribute("gen_ai.system")), "mistral");
  EXPECT_EQ(all[1].status, telemetry::StatusCode::kError);
  for (const auto& span : all) {
    for (const auto& [key, value] : span.attributes) {
      if (const auto* text = std::get_if<std::string>(&value)) {
        EXPECT_EQ(text->find(kKey), std::string::npos) << key;
      }
    }
    EXPECT_EQ(span.status_description.find(kKey), std::string::npos);
  }
  const std::string text = registry.Serialize();
  EXPECT_NE(text.find(R"(aura_llm_requests_total{model="mistral/mistral-small-latest",operation="chat",outcome="ok"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(outcome="error"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(aura_llm_tokens_total{direction="input",model="mistral/mistral-small-latest"} 120)"),
            std::string::npos);
  telemetry::SetTracerProvider(nullptr);
}

TEST(MakeChatClient, PicksTheProviderFromConfig) {
  common::Config config;
  config.llm.model = "openai/gpt-4o-mini";
  config.llm.openai_api_key = "k";
  auto chat = MakeChatClient(config);
  ASSERT_TRUE(chat.ok());
  EXPECT_EQ((*chat)->endpoint().provider, Provider::kOpenAi);
  config.llm.model = "rule";
  EXPECT_FALSE(MakeChatClient(config).ok());
}

}  // namespace
}  // namespace aura::clients
