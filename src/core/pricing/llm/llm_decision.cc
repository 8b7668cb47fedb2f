#include "core/pricing/llm/llm_decision.h"

#include <cctype>
#include <cmath>

#include <nlohmann/json.hpp>

namespace aura::core {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Removes one ```json ... ``` (or ``` ... ```) fence around the whole content.
std::string_view StripFence(std::string_view s) {
  if (!s.starts_with("```") || !s.ends_with("```") || s.size() < 6) return s;
  s.remove_prefix(3);
  s.remove_suffix(3);
  const auto newline = s.find('\n');
  if (newline != std::string_view::npos) {
    std::string_view tag = Trim(s.substr(0, newline));
    if (tag.empty() || tag == "json" || tag == "JSON") s.remove_prefix(newline + 1);
  }
  return Trim(s);
}

common::Status Malformed(std::string why) {
  return common::InvalidArgumentError("malformed LLM decision: " + std::move(why));
}

}  // namespace

std::string_view LlmActionName(LlmAction action) noexcept {
  switch (action) {
    case LlmAction::kAccept:
      return "accept";
    case LlmAction::kCounter:
      return "counter";
    case LlmAction::kReject:
      return "reject";
  }
  return "unknown";
}

common::Result<LlmDecision> ParseLlmDecision(std::string_view content) {
  const std::string_view text = StripFence(Trim(content));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Malformed("not JSON");
  if (!j.is_object()) return Malformed("not a JSON object");

  LlmDecision d;
  auto action = j.find("action");
  if (action == j.end() || !action->is_string()) return Malformed("action missing or not a string");
  std::string name = action->get<std::string>();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "accept") {
    d.action = LlmAction::kAccept;
  } else if (name == "counter") {
    d.action = LlmAction::kCounter;
  } else if (name == "reject") {
    d.action = LlmAction::kReject;
  } else {
    return Malformed("unknown action");
  }

  auto price = j.find("price");
  const bool has_price = price != j.end() && !price->is_null();
  if (d.action != LlmAction::kReject) {
    if (has_price) {
      if (!price->is_number()) return Malformed("price is not a number");
      const double p = price->get<double>();
      if (!std::isfinite(p) || p <= 0) return Malformed("price is not a positive finite number");
      d.price = p;
    } else if (d.action == LlmAction::kCounter) {
      return Malformed("counter without a price");
    }
  }

  auto message = j.find("message");
  if (message == j.end() || !message->is_string()) return Malformed("message missing or not a string");
  d.message = message->get<std::string>();

  auto reasoning = j.find("reasoning");
  if (reasoning != j.end() && !reasoning->is_null()) {
    if (!reasoning->is_string()) return Malformed("reasoning is not a string");
    d.reasoning = reasoning->get<std::string>();
  }
  return d;
}

}  // namespace aura::core
