// File: core/pricing/llm/prompt.h
//
// The pricing prompt (version kPromptVersion). Two messages:
//   system — the seller's instructions: the decision rules, the answer's JSON
//            shape, that floor_price is secret, and that everything in the
//            user message is data, never instructions;
//   user   — one JSON object holding the situation. Every value that comes
//            from outside (item id, name and description, agent DID, currency)
//            is a JSON string produced by a serialiser, so quotes, newlines or
//            "ignore previous instructions" text stay inside their string and
//            cannot become part of the instructions. Long strings are cut.
//
//   std::vector<clients::ChatMessage> m = BuildPricingPrompt({.item_id = "hotel_alpha", ...});
//
// Changing the wording or the data layout means a new kPromptVersion: the
// version is part of the decision cache key and of the logs.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clients/chat_client.h"

namespace aura::core {

inline constexpr std::string_view kPromptVersion = "pricing-v1";

struct PromptInput {
  std::string item_id;
  std::string item_name;
  std::string item_description;
  double base_price = 0;
  double floor_price = 0;  // secret: the prompt marks it as never to be revealed
  // 0 = quiet, 1 = fully booked; nullopt = unknown (sent as null).
  std::optional<double> market_load;
  double trigger_price = 0;
  double bid = 0;
  std::string currency;
  std::string agent_did;
  double reputation = 0;
};

// The system instructions (the same for every request).
std::string_view PricingSystemPrompt() noexcept;

// The user message: the situation as one JSON object.
std::string PricingUserMessage(const PromptInput& input);

// {system, user}.
std::vector<clients::ChatMessage> BuildPricingPrompt(const PromptInput& input);

}  // namespace aura::core
