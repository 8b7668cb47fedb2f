// File: core/pricing/rule_strategy.h
//
// RuleStrategy: the default pricing strategy (DESIGN section 5). In order:
//   1. bid <= 0 or not finite          -> INVALID_ARGUMENT (nothing to store);
//   2. unknown or inactive item        -> rejected, ITEM_NOT_FOUND;
//   3. bid > trigger_price             -> ui_required "high_value_confirm" with
//      context reason = "Bid of $<bid> exceeds security threshold";
//   4. bid < item floor                -> countered at the floor, BELOW_FLOOR,
//      "We cannot accept less than $<floor>.";
//   5. otherwise                       -> accepted at the bid with a fresh
//      reservation code ("MCP-" + 16 upper-case hex digits).
// A bid exactly at the floor is accepted; exactly at the trigger it is not
// ui_required. Amounts in messages are formatted as Python formats floats.
//
//   RuleStrategy rules({.trigger_price = 1000.0});
//   auto decision = rules.Decide({.item_id = "hotel_alpha", .bid_amount = 1.0, .item = &item});
//   // decision->outcome == Outcome::kCountered, decision->price == item.floor_price
//
// Thread-safe (the default code generator uses a per-thread random engine; a
// custom generator must be thread-safe itself).
#pragma once

#include <functional>
#include <string>

#include "core/pricing/pricing_strategy.h"

namespace aura::core {

struct RuleStrategyOptions {
  // Bids strictly above this need a human's confirmation.
  double trigger_price = 1000.0;
  // Makes reservation codes; empty = "MCP-" + 16 random upper-case hex digits.
  // Tests inject a deterministic one.
  std::function<std::string()> reservation_code_generator;
};

// "MCP-" followed by 16 random upper-case hex digits (64 random bits).
std::string NewReservationCode();

class RuleStrategy final : public PricingStrategy {
 public:
  explicit RuleStrategy(RuleStrategyOptions options = {});

  std::string Name() const override { return "rule"; }
  common::Result<PricingDecision> Decide(const PricingRequest& request) override;

 private:
  RuleStrategyOptions options_;
};

}  // namespace aura::core
