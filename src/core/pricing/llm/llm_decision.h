// File: core/pricing/llm/llm_decision.h
//
// LlmDecision and ParseLlmDecision: the model's answer to a pricing prompt,
// parsed strictly. The model must answer with one JSON object
//   {"action": "accept" | "counter" | "reject", "price": number | null,
//    "message": string, "reasoning": string}
// Anything else is malformed: not JSON, not an object, an unknown action, a
// counter without a finite positive price, a price of the wrong type, a
// missing or non-string message, a non-string reasoning. Whitespace and one
// surrounding Markdown code fence (```json … ```) are tolerated, because some
// local models add them even in JSON mode.
//
//   Result<LlmDecision> d = ParseLlmDecision(R"({"action":"counter","price":130,
//                                                "message":"How about this?","reasoning":"…"})");
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aura::core {

enum class LlmAction { kAccept, kCounter, kReject };

struct LlmDecision {
  LlmAction action = LlmAction::kReject;
  // Required (finite, > 0) for counter; optional for accept; ignored for reject.
  std::optional<double> price;
  std::string message;
  // For the seller's logs only; never sent to the agent.
  std::string reasoning;

  friend bool operator==(const LlmDecision&, const LlmDecision&) = default;
};

// "accept", "counter", "reject".
std::string_view LlmActionName(LlmAction action) noexcept;

// Parses the model's content. INVALID_ARGUMENT (malformed) with a short reason
// that never quotes the content.
common::Result<LlmDecision> ParseLlmDecision(std::string_view content);

}  // namespace aura::core
