#include "core/pricing/llm/guardrails.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "core/pricing/python_float.h"

namespace aura::core {
namespace {

constexpr size_t kMaxMessageBytes = 300;
// A shared run this long between message and reasoning counts as a copy.
constexpr size_t kReasoningWindow = 24;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Collapses whitespace so "reserve  price" matches "reserve price".
std::string Normalise(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : Lower(s)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Every number in `s`: digit runs with "," or "_" or "'" thousands separators
// and an optional decimal part.
std::vector<double> NumbersIn(std::string_view s) {
  std::vector<double> out;
  for (size_t i = 0; i < s.size();) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    std::string digits;
    while (i < s.size()) {
      const char c = s[i];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        digits.push_back(c);
      } else if ((c == ',' || c == '_' || c == '\'' || c == '.') && i + 1 < s.size() &&
                 std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        if (c == '.') digits.push_back('.');
      } else {
        break;
      }
      ++i;
    }
    out.push_back(std::strtod(digits.c_str(), nullptr));
  }
  return out;
}

bool MentionsFloor(std::string_view message, double floor) {
  if (!std::isfinite(floor) || floor <= 0) return false;
  for (double v : NumbersIn(message)) {
    if (std::fabs(v - floor) < 0.005) return true;
  }
  // The integer digits anywhere ("1O5" aside), e.g. "$1,05" typos or "105-ish".
  const double whole = std::floor(floor);
  if (whole >= 10 && whole < 1e15) {
    std::string digits_only;
    for (char c : message) {
      if (std::isdigit(static_cast<unsigned char>(c))) digits_only.push_back(c);
      else if (c != ',' && c != '_' && c != '\'') digits_only.push_back(' ');
    }
    const std::string needle = std::to_string(static_cast<long long>(whole));
    size_t pos = 0;
    while ((pos = digits_only.find(needle, pos)) != std::string::npos) {
      const bool starts = pos == 0 || digits_only[pos - 1] == ' ';
      if (starts) return true;
      ++pos;
    }
  }
  return false;
}

bool CopiesReasoning(const std::string& message, std::string_view reasoning) {
  const std::string r = Normalise(reasoning);
  if (r.empty()) return false;
  if (r.size() < kReasoningWindow) return message.find(r) != std::string::npos && r.size() >= 8;
  for (size_t i = 0; i + kReasoningWindow <= r.size(); i += 4) {
    if (message.find(std::string_view(r).substr(i, kReasoningWindow)) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view GuardrailRuleName(GuardrailRule rule) noexcept {
  switch (rule) {
    case GuardrailRule::kAboveTrigger:
      return "above_trigger";
    case GuardrailRule::kAcceptBelowFloor:
      return "accept_below_floor";
    case GuardrailRule::kAcceptPriceMismatch:
      return "accept_price_mismatch";
    case GuardrailRule::kCounterBelowFloor:
      return "counter_below_floor";
    case GuardrailRule::kCounterAboveBase:
      return "counter_above_base";
    case GuardrailRule::kCounterNotAboveBid:
      return "counter_not_above_bid";
    case GuardrailRule::kMessageLeak:
      return "message_leak";
  }
  return "unknown";
}

bool MessageLeaks(std::string_view message, double floor, std::string_view reasoning) {
  if (message.size() > kMaxMessageBytes) return true;
  for (char c : message) {
    if (static_cast<unsigned char>(c) < 0x20) return true;
  }
  const std::string m = Normalise(message);
  static constexpr std::string_view kForbidden[] = {
      "floor",        "reserve price",  "reservation price", "minimum price", "lowest price we",
      "reasoning",    "system prompt",  "instruction",       "confidential",  "internal",
  };
  for (std::string_view word : kForbidden) {
    if (m.find(word) != std::string::npos) return true;
  }
  return MentionsFloor(message, floor) || CopiesReasoning(m, reasoning);
}

PricingDecision HighValueConfirm(double bid) {
  PricingDecision d;
  d.outcome = storage::Outcome::kUiRequired;
  d.ui_template = std::string(kTemplateHighValueConfirm);
  d.ui_context["reason"] = "Bid of $" + FormatPythonFloat(bid) + " exceeds security threshold";
  return d;
}

GuardedDecision ApplyGuardrails(const LlmDecision& answer, const GuardrailContext& ctx) {
  GuardedDecision g;
  PricingDecision& d = g.decision;
  if (ctx.bid > ctx.trigger) {
    if (answer.action != LlmAction::kReject) g.overrides.push_back(GuardrailRule::kAboveTrigger);
    d = HighValueConfirm(ctx.bid);
    return g;
  }
  const bool bid_meets_floor = ctx.bid >= ctx.floor;
  LlmAction action = answer.action;
  double price = answer.price.value_or(ctx.bid);

  if (action == LlmAction::kAccept) {
    if (!bid_meets_floor) {
      g.overrides.push_back(GuardrailRule::kAcceptBelowFloor);
      action = LlmAction::kCounter;
      price = ctx.floor;
    } else if (price != ctx.bid) {
      g.overrides.push_back(GuardrailRule::kAcceptPriceMismatch);
      price = ctx.bid;
    }
  } else if (action == LlmAction::kCounter) {
    if (price < ctx.floor) {
      g.overrides.push_back(GuardrailRule::kCounterBelowFloor);
      price = ctx.floor;
    }
    const double ceiling = std::max(ctx.base, ctx.floor);
    if (price > ceiling) {
      g.overrides.push_back(GuardrailRule::kCounterAboveBase);
      price = ceiling;
    }
    if (bid_meets_floor && price <= ctx.bid) {
      g.overrides.push_back(GuardrailRule::kCounterNotAboveBid);
      action = LlmAction::kAccept;
      price = ctx.bid;
    }
  }

  switch (action) {
    case LlmAction::kAccept:
      d.outcome = storage::Outcome::kAccepted;
      d.price = price;
      break;
    case LlmAction::kCounter: {
      d.outcome = storage::Outcome::kCountered;
      d.price = price;
      d.reason_code = std::string(bid_meets_floor ? kReasonCounterOffer : kReasonBelowFloor);
      // A message written for another action (an accept turned into a
      // counter) is replaced too: it would say the wrong thing.
      const bool rewritten = answer.action != LlmAction::kCounter;
      if (answer.message.empty() || rewritten) {
        d.message = std::string(kNeutralCounterMessage);
      } else if (MessageLeaks(answer.message, ctx.floor, answer.reasoning)) {
        g.overrides.push_back(GuardrailRule::kMessageLeak);
        d.message = std::string(kNeutralCounterMessage);
      } else {
        d.message = answer.message;
      }
      break;
    }
    case LlmAction::kReject:
      d.outcome = storage::Outcome::kRejected;
      d.reason_code = std::string(kReasonOfferRejected);
      break;
  }
  return g;
}

}  // namespace aura::core
