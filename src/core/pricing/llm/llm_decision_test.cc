#include "core/pricing/llm/llm_decision.h"

#include <gtest/gtest.h>

namespace aura::core {
namespace {

TEST(ParseLlmDecision, ParsesEachAction) {
  auto accept = ParseLlmDecision(
      R"({"action":"accept","price":850,"message":"Deal.","reasoning":"above the minimum"})");
  ASSERT_TRUE(accept.ok()) << accept.status().ToString();
  EXPECT_EQ(accept->action, LlmAction::kAccept);
  EXPECT_EQ(accept->price, 850.0);
  EXPECT_EQ(accept->message, "Deal.");
  EXPECT_EQ(accept->reasoning, "above the minimum");

  auto counter = ParseLlmDecision(R"({"action":"Counter","price":130.5,"message":"How about this?"})");
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(counter->action, LlmAction::kCounter);
  EXPECT_EQ(counter->price, 130.5);
  EXPECT_EQ(counter->reasoning, "");

  auto reject = ParseLlmDecision(R"({"action":"reject","price":null,"message":"Sorry."})");
  ASSERT_TRUE(reject.ok());
  EXPECT_EQ(reject->action, LlmAction::kReject);
  EXPECT_FALSE(reject->price.has_value());
}

TEST(ParseLlmDecision, AcceptWithoutPriceIsAllowed) {
  auto d = ParseLlmDecision(R"({"action":"accept","message":"ok"})");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->price.has_value());
}

TEST(ParseLlmDecision, ToleratesWhitespaceAndOneCodeFence) {
  auto d = ParseLlmDecision("\n```json\n{\"action\":\"reject\",\"message\":\"no\"}\n```\n");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->action, LlmAction::kReject);
}

TEST(ParseLlmDecision, RejectsMalformedAnswers) {
  const char* cases[] = {
      "",
      "Sure! I accept.",
      R"({"action":"accept","message":"ok"} trailing)",
      R"(["accept"])",
      R"({"price":100,"message":"x"})",
      R"({"action":"haggle","price":100,"message":"x"})",
      R"({"action":42,"price":100,"message":"x"})",
      R"({"action":"counter","message":"x"})",
      R"({"action":"counter","price":null,"message":"x"})",
      R"({"action":"counter","price":"130","message":"x"})",
      R"({"action":"counter","price":true,"message":"x"})",
      R"({"action":"counter","price":-5,"message":"x"})",
      R"({"action":"counter","price":0,"message":"x"})",
      R"({"action":"accept","price":1e400,"message":"x"})",
      R"({"action":"counter","price":130})",
      R"({"action":"counter","price":130,"message":7})",
      R"({"action":"counter","price":130,"message":"x","reasoning":{"a":1}})",
  };
  for (const char* c : cases) {
    auto d = ParseLlmDecision(c);
    EXPECT_FALSE(d.ok()) << c;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), common::StatusCode::kInvalidArgument) << c;
    }
  }
}

TEST(ParseLlmDecision, ErrorsDoNotQuoteTheContent) {
  auto d = ParseLlmDecision(R"({"action":"counter","price":"secret-130","message":"x"})");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message().find("secret"), std::string::npos);
}

TEST(LlmActionName, NamesEachAction) {
  EXPECT_EQ(LlmActionName(LlmAction::kAccept), "accept");
  EXPECT_EQ(LlmActionName(LlmAction::kCounter), "counter");
  EXPECT_EQ(LlmActionName(LlmAction::kReject), "reject");
}

}  // namespace
}  // namespace aura::core
