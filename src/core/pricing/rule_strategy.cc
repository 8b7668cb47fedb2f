#include "core/pricing/rule_strategy.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>

#include "core/pricing/python_float.h"

namespace aura::core {

std::string NewReservationCode() {
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }()};
  static constexpr char kHex[] = "0123456789ABCDEF";
  uint64_t bits = engine();
  std::string code = "MCP-";
  for (int shift = 60; shift >= 0; shift -= 4) code.push_back(kHex[(bits >> shift) & 0xF]);
  return code;
}

RuleStrategy::RuleStrategy(RuleStrategyOptions options) : options_(std::move(options)) {
  if (!options_.reservation_code_generator) options_.reservation_code_generator = NewReservationCode;
}

common::Result<PricingDecision> RuleStrategy::Decide(const PricingRequest& request) {
  const double bid = request.bid_amount;
  if (!std::isfinite(bid) || bid <= 0) {
    return common::InvalidArgumentError("bid_amount must be a positive finite number");
  }
  PricingDecision decision;
  if (request.item == nullptr || !request.item->active) {
    decision.outcome = storage::Outcome::kRejected;
    decision.reason_code = std::string(kReasonItemNotFound);
    return decision;
  }
  if (bid > options_.trigger_price) {
    decision.outcome = storage::Outcome::kUiRequired;
    decision.ui_template = std::string(kTemplateHighValueConfirm);
    decision.ui_context["reason"] =
        "Bid of $" + FormatPythonFloat(bid) + " exceeds security threshold";
    return decision;
  }
  const double floor = request.item->floor_price;
  if (bid < floor) {
    decision.outcome = storage::Outcome::kCountered;
    decision.price = floor;
    decision.reason_code = std::string(kReasonBelowFloor);
    decision.message = "We cannot accept less than $" + FormatPythonFloat(floor) + ".";
    return decision;
  }
  decision.outcome = storage::Outcome::kAccepted;
  decision.price = bid;
  decision.reservation_code = options_.reservation_code_generator();
  return decision;
}

}  // namespace aura::core
