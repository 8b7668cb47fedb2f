// File: core/pricing/llm/guardrails.h
//
// Guardrails: what an LLM pricing answer may do, enforced on every answer
// whatever the model said (and on cached answers each time they are reused).
// ApplyGuardrails turns a parsed LlmDecision into the PricingDecision the agent
// sees and lists every override it made:
//   kAboveTrigger        bid above the trigger price → ui_required
//                        high_value_confirm (the rule strategy's answer);
//   kAcceptBelowFloor    accept of a bid below the floor → counter at the floor;
//   kAcceptPriceMismatch accept at a price other than the bid → accept at the
//                        bid (the bid is ≥ floor here; otherwise the rule above);
//   kCounterBelowFloor   counter below the floor → raised to the floor;
//   kCounterAboveBase    counter above the list price → lowered to it;
//   kCounterNotAboveBid  counter at or below a bid that is ≥ floor → accept at
//                        the bid (a counter must ask for more than the bid);
//   kMessageLeak         the agent's message holds the floor's digits, the word
//                        "floor", the reasoning or prompt talk, or is not plain
//                        short text → a neutral message.
// Counters get reason BELOW_FLOOR when the bid is below the floor, else
// COUNTER_OFFER; rejects get OFFER_REJECTED. Accepted decisions carry no
// reservation code yet (the strategy adds one).
//
//   GuardedDecision g = ApplyGuardrails(decision, {.bid = 90, .floor = 100, .base = 150,
//                                                   .trigger = 1000});
//   // g.decision.outcome == kCountered, g.decision.price == 100, g.overrides == {kAcceptBelowFloor}
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/pricing/llm/llm_decision.h"
#include "core/pricing/pricing_strategy.h"

namespace aura::core {

inline constexpr std::string_view kReasonCounterOffer = "COUNTER_OFFER";
inline constexpr std::string_view kReasonOfferRejected = "OFFER_REJECTED";
inline constexpr std::string_view kReasonAiError = "AI_ERROR";
// What the agent reads instead of a message that could leak something.
inline constexpr std::string_view kNeutralCounterMessage = "This is the best price we can offer.";

enum class GuardrailRule {
  kAboveTrigger,
  kAcceptBelowFloor,
  kAcceptPriceMismatch,
  kCounterBelowFloor,
  kCounterAboveBase,
  kCounterNotAboveBid,
  kMessageLeak,
};
inline constexpr int kGuardrailRuleCount = 7;

// "above_trigger", "accept_below_floor", ... (the `rule` field of the
// pricing.guardrail log event).
std::string_view GuardrailRuleName(GuardrailRule rule) noexcept;

struct GuardrailContext {
  double bid = 0;
  double floor = 0;
  double base = 0;
  double trigger = 1000.0;
};

struct GuardedDecision {
  PricingDecision decision;
  std::vector<GuardrailRule> overrides;
};

GuardedDecision ApplyGuardrails(const LlmDecision& answer, const GuardrailContext& context);

// True when `message` may not reach the agent: it contains the floor price
// (as a number in any usual spelling, or its integer digits), the word
// "floor" or prompt vocabulary, a long piece of `reasoning`, control
// characters, or more than 300 bytes.
bool MessageLeaks(std::string_view message, double floor, std::string_view reasoning);

// The ui_required context the rule strategy uses for a bid above the trigger.
PricingDecision HighValueConfirm(double bid);

}  // namespace aura::core
