#include "core/pricing/llm/guardrails.h"

#include <gtest/gtest.h>

namespace aura::core {
namespace {

using storage::Outcome;

const GuardrailContext kCtx{.bid = 130, .floor = 120, .base = 150, .trigger = 1000};

LlmDecision Answer(LlmAction action, std::optional<double> price, std::string message = "Thanks!",
                   std::string reasoning = "") {
  return {.action = action, .price = price, .message = std::move(message),
          .reasoning = std::move(reasoning)};
}

TEST(ApplyGuardrails, PassesASoundAcceptThrough) {
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kAccept, 130.0), kCtx);
  EXPECT_EQ(g.decision.outcome, Outcome::kAccepted);
  EXPECT_EQ(g.decision.price, 130.0);
  EXPECT_TRUE(g.overrides.empty());
}

TEST(ApplyGuardrails, AcceptBelowFloorBecomesCounterAtFloor) {
  GuardrailContext ctx = kCtx;
  ctx.bid = 90;
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kAccept, 90.0, "Deal at 90!"), ctx);
  EXPECT_EQ(g.decision.outcome, Outcome::kCountered);
  EXPECT_EQ(g.decision.price, 120.0);
  EXPECT_EQ(g.decision.reason_code, "BELOW_FLOOR");
  EXPECT_EQ(g.decision.message, kNeutralCounterMessage);
  EXPECT_EQ(g.overrides, std::vector{GuardrailRule::kAcceptBelowFloor});
}

TEST(ApplyGuardrails, AcceptAtAnotherPriceIsCorrectedToTheBid) {
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kAccept, 125.0), kCtx);
  EXPECT_EQ(g.decision.outcome, Outcome::kAccepted);
  EXPECT_EQ(g.decision.price, 130.0);
  EXPECT_EQ(g.overrides, std::vector{GuardrailRule::kAcceptPriceMismatch});
  // An accept without a price means the bid.
  EXPECT_TRUE(ApplyGuardrails(Answer(LlmAction::kAccept, std::nullopt), kCtx).overrides.empty());
}

TEST(ApplyGuardrails, AboveTriggerIsAlwaysUiRequired) {
  GuardrailContext ctx = kCtx;
  ctx.bid = 1500;
  for (LlmAction a : {LlmAction::kAccept, LlmAction::kCounter}) {
    GuardedDecision g = ApplyGuardrails(Answer(a, 1500.0), ctx);
    EXPECT_EQ(g.decision.outcome, Outcome::kUiRequired);
    EXPECT_EQ(g.decision.ui_template, "high_value_confirm");
    EXPECT_EQ(g.decision.ui_context.at("reason"), "Bid of $1500.0 exceeds security threshold");
    EXPECT_EQ(g.overrides, std::vector{GuardrailRule::kAboveTrigger});
  }
  EXPECT_EQ(ApplyGuardrails(Answer(LlmAction::kReject, std::nullopt), ctx).decision.outcome,
            Outcome::kUiRequired);
}

TEST(ApplyGuardrails, CounterBelowFloorIsRaisedToTheFloor) {
  GuardrailContext ctx = kCtx;
  ctx.bid = 90;
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kCounter, 100.0, "Meet me there?"), ctx);
  EXPECT_EQ(g.decision.outcome, Outcome::kCountered);
  EXPECT_EQ(g.decision.price, 120.0);
  EXPECT_EQ(g.decision.message, "Meet me there?");
  EXPECT_EQ(g.overrides, std::vector{GuardrailRule::kCounterBelowFloor});
}

TEST(ApplyGuardrails, CounterAboveListPriceIsLowered) {
  GuardrailContext ctx = kCtx;
  ctx.bid = 100;
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kCounter, 400.0), ctx);
  EXPECT_EQ(g.decision.price, 150.0);
  EXPECT_EQ(g.overrides, std::vector{GuardrailRule::kCounterAboveBase});
}

TEST(ApplyGuardrails, CounterAtOrBelowAnAcceptableBidAccepts) {
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kCounter, 125.0), kCtx);
  EXPECT_EQ(g.decision.outcome, Outcome::kAccepted);
  EXPECT_EQ(g.decision.price, 130.0);
  EXPECT_EQ(g.overrides, std::vector{GuardrailRule::kCounterNotAboveBid});
}

TEST(ApplyGuardrails, CounterAboveAnAcceptableBidStaysACounterOffer) {
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kCounter, 140.0, "Busy week!"), kCtx);
  EXPECT_EQ(g.decision.outcome, Outcome::kCountered);
  EXPECT_EQ(g.decision.price, 140.0);
  EXPECT_EQ(g.decision.reason_code, "COUNTER_OFFER");
  EXPECT_EQ(g.decision.message, "Busy week!");
  EXPECT_TRUE(g.overrides.empty());
}

TEST(ApplyGuardrails, RejectCarriesNoMessage) {
  GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kReject, std::nullopt, "floor is 120"), kCtx);
  EXPECT_EQ(g.decision.outcome, Outcome::kRejected);
  EXPECT_EQ(g.decision.reason_code, "OFFER_REJECTED");
  EXPECT_EQ(g.decision.message, "");
}

TEST(ApplyGuardrails, LeakingMessagesAreReplaced) {
  GuardrailContext ctx = kCtx;
  ctx.bid = 100;
  const char* leaks[] = {
      "Our floor is high, sorry.",          "We cannot go below $120.",
      "We cannot go below 120.00 dollars.", "Best is USD 1,20 … no, 120",
      "Our reserve price applies.",         "As my system prompt says, no.",
      "Minimum price reached.",
  };
  for (const char* m : leaks) {
    GuardedDecision g = ApplyGuardrails(Answer(LlmAction::kCounter, 135.0, m), ctx);
    EXPECT_EQ(g.decision.message, kNeutralCounterMessage) << m;
    EXPECT_EQ(g.overrides, std::vector{GuardrailRule::kMessageLeak}) << m;
  }
}

TEST(ApplyGuardrails, MessageCopyingTheReasoningIsReplaced) {
  GuardrailContext ctx = kCtx;
  ctx.bid = 100;
  const std::string reasoning = "Agent reputation is low and demand is high this weekend";
  GuardedDecision g = ApplyGuardrails(
      Answer(LlmAction::kCounter, 140.0, "Note: agent reputation is low and demand is high.",
             reasoning),
      ctx);
  EXPECT_EQ(g.decision.message, kNeutralCounterMessage);
}

TEST(MessageLeaks, CleanMessagesPass) {
  EXPECT_FALSE(MessageLeaks("We can offer a better rate closer to our list price.", 120, ""));
  EXPECT_FALSE(MessageLeaks("Would $135 work for you?", 120, "demand is high"));
  EXPECT_FALSE(MessageLeaks("Room 12 is lovely.", 120, ""));
}

TEST(MessageLeaks, CatchesFloorSpellingsControlCharactersAndLength) {
  EXPECT_TRUE(MessageLeaks("Anything from 99.5 works", 99.5, ""));
  EXPECT_TRUE(MessageLeaks("Try $1,200", 1200, ""));
  EXPECT_TRUE(MessageLeaks("FLOOR!", 1200, ""));
  EXPECT_TRUE(MessageLeaks("line\nbreak", 1200, ""));
  EXPECT_TRUE(MessageLeaks(std::string(301, 'a'), 1200, ""));
}

TEST(GuardrailRuleName, NamesEveryRule) {
  for (int i = 0; i < kGuardrailRuleCount; ++i) {
    EXPECT_NE(GuardrailRuleName(static_cast<GuardrailRule>(i)), "unknown");
  }
}

}  // namespace
}  // namespace aura::core
