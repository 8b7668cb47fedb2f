// File: core/pricing/pricing_strategy.h
//
// PricingStrategy: the seller's side of a negotiation. Given one bid and the
// item it names, a strategy answers with a PricingDecision — accept, counter,
// reject, or ask for a human (ui_required) — and never touches storage: the
// NegotiationService looks the item up, asks the strategy, and stores the
// decision. The rule strategy (rule_strategy.h) is the default; an LLM strategy
// behind guardrails can replace it through the same interface.
//
//   RuleStrategy rules;
//   PricingRequest request{.item_id = "hotel_alpha", .bid_amount = 850.0, .item = &item};
//   Result<PricingDecision> decision = rules.Decide(request);
//
// Implementations must be thread-safe: Decide runs concurrently on the core's
// worker threads.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/types.h"

namespace aura::core {

// Reason codes and templates the hive's clients know.
inline constexpr std::string_view kReasonBelowFloor = "BELOW_FLOOR";
inline constexpr std::string_view kReasonItemNotFound = "ITEM_NOT_FOUND";
inline constexpr std::string_view kTemplateHighValueConfirm = "high_value_confirm";

// One bid as a strategy sees it. `item` is the stored item the bid names, or
// nullptr when no item has that id; it is borrowed for the call only.
struct PricingRequest {
  std::string request_id;
  std::string item_id;
  double bid_amount = 0;
  std::string currency = "USD";
  std::string agent_did;
  float reputation_score = 0;
  const storage::Item* item = nullptr;
};

// A strategy's answer. Which fields mean something depends on `outcome`:
//   kAccepted   — price (the final price) and reservation_code;
//   kCountered  — price (the proposed price), reason_code and message;
//   kRejected   — reason_code;
//   kUiRequired — ui_template and ui_context.
struct PricingDecision {
  storage::Outcome outcome = storage::Outcome::kRejected;
  double price = 0;
  std::string reason_code;
  std::string message;
  std::string reservation_code;
  std::string ui_template;
  std::map<std::string, std::string> ui_context;

  friend bool operator==(const PricingDecision&, const PricingDecision&) = default;
};

// Thread-safe interface; see the file comment.
class PricingStrategy {
 public:
  PricingStrategy() = default;
  virtual ~PricingStrategy() = default;
  PricingStrategy(const PricingStrategy&) = delete;
  PricingStrategy& operator=(const PricingStrategy&) = delete;

  // What is stored as the decision's strategy: "rule" or the LLM model name.
  virtual std::string Name() const = 0;

  // Decides on one bid. INVALID_ARGUMENT when the bid is not a positive finite
  // number (nothing should be stored then); an LLM strategy may also return
  // UNAVAILABLE or DEADLINE_EXCEEDED when it cannot answer at all.
  virtual common::Result<PricingDecision> Decide(const PricingRequest& request) = 0;
};

}  // namespace aura::core
