// File: core/pricing/llm/llm_strategy.h
//
// LlmStrategy: prices bids with an OpenAI-compatible chat model, always behind
// guardrails, falling back to the rule strategy (DESIGN section 5).
//
// For each bid:
//   1. bids the rules settle without judgement go to the fallback (rules):
//      a bid that is not a positive finite number (INVALID_ARGUMENT), an
//      unknown or inactive item (ITEM_NOT_FOUND) and a bid above the trigger
//      price (ui_required high_value_confirm) — the model is not asked;
//   2. the decision cache is consulted (decision_cache.h);
//   3. otherwise the model gets the prompt (prompt.h) and must answer the JSON
//      of llm_decision.h; a malformed answer is asked again up to
//      `malformed_retries` times, all inside one `timeout`;
//   4. guardrails (guardrails.h) turn the answer into the decision, whatever it
//      said; each override is logged (event `pricing.guardrail`) and counted;
//   5. when the model cannot answer (timeout, breaker open, HTTP errors,
//      malformed after the retries) the fallback strategy answers, logged as
//      event `pricing.fallback` with strategy "rule_fallback" — or, with
//      `reject_on_failure`, the bid is rejected with reason AI_ERROR.
// Decide therefore never returns an LLM error: only the fallback's own errors
// (INVALID_ARGUMENT for a bad bid).
//
// Each decision is one span "pricing.llm" (aura.item_id, aura.bid,
// aura.pricing.source = llm | cache | rule | rule_fallback | reject_ai_error,
// aura.outcome, aura.guardrail.rules, aura.prompt_version) around the chat
// client's own span; with `metrics` set, decisions that fell back count as
// aura_llm_requests_total{outcome="fallback"}.
//
//   auto strategy = MakeLlmStrategy(config);   // Result<unique_ptr<LlmStrategy>>
//   Result<PricingDecision> d = (*strategy)->Decide(request);
//
// Or, with parts built by hand (tests):
//   LlmStrategy s({.model = "mistral/mistral-small-latest"}, std::move(chat_client),
//                 std::make_unique<RuleStrategy>(RuleStrategyOptions{.trigger_price = 1000}));
//
// Thread-safe: Decide runs concurrently on the core's worker threads.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "clients/chat_client.h"
#include "common/clock.h"
#include "common/config/config.h"
#include "common/metrics/instruments.h"
#include "core/pricing/llm/decision_cache.h"
#include "core/pricing/llm/guardrails.h"
#include "core/pricing/pricing_strategy.h"
#include "telemetry/api/tracer.h"

namespace aura::core {

struct LlmStrategyOptions {
  // The configured model name with its provider prefix ("mistral/…"); what
  // Name() returns and part of the cache key.
  std::string model;
  double temperature = 0.2;
  // Budget for one decision: every model call and retry of it.
  std::chrono::milliseconds timeout{10000};
  // Extra model calls after a malformed answer (within `timeout`).
  int malformed_retries = 1;
  // Reject with AI_ERROR instead of asking the fallback when the model fails.
  bool reject_on_failure = false;
  // Must equal the fallback rule strategy's trigger price.
  double trigger_price = 1000.0;
  DecisionCacheOptions cache;
  // Market load, 0 (quiet) .. 1 (fully booked), for the prompt and the cache
  // key; empty or nullopt = unknown. Must be thread-safe and fast.
  std::function<std::optional<double>()> market_load;
  // Reservation codes for accepted bids; empty = NewReservationCode().
  std::function<std::string()> reservation_code_generator;
  // For the cache's TTL; null = SystemClock. Must outlive the strategy.
  const common::Clock* clock = nullptr;
  // Completion tokens the model may spend; 0 = the server's default.
  int max_tokens = 400;
  // Optional; not owned, must outlive the strategy. MakeLlmStrategy hands it
  // to the chat client too.
  common::LlmMetrics* metrics = nullptr;
};

// Counters since construction (plain numbers for now; metrics read them).
struct LlmStrategyStats {
  uint64_t decisions = 0;          // Decide calls
  uint64_t llm_calls = 0;          // chat completions attempted
  uint64_t llm_failures = 0;       // calls that returned an error
  uint64_t malformed_answers = 0;  // answers that failed strict parsing
  uint64_t fallbacks = 0;          // decisions the fallback strategy made after a failure
  uint64_t ai_error_rejections = 0;  // decisions rejected with AI_ERROR
  uint64_t rule_decisions = 0;     // bad bid / no item / above trigger: rules, no model call
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t guardrail_overrides = 0;  // all rules together
  std::array<uint64_t, kGuardrailRuleCount> guardrail_by_rule{};  // index = GuardrailRule
  uint64_t prompt_tokens = 0;
  uint64_t completion_tokens = 0;

  uint64_t guardrail(GuardrailRule rule) const {
    return guardrail_by_rule[static_cast<size_t>(rule)];
  }
};

class LlmStrategy final : public PricingStrategy {
 public:
  // `chat` and `fallback` must be non-null; the strategy owns both.
  LlmStrategy(LlmStrategyOptions options, std::unique_ptr<clients::ChatClient> chat,
              std::unique_ptr<PricingStrategy> fallback);

  // The model name, e.g. "mistral/mistral-small-latest".
  std::string Name() const override { return options_.model; }
  common::Result<PricingDecision> Decide(const PricingRequest& request) override;

  LlmStrategyStats stats() const;
  const clients::ChatClient& chat() const { return *chat_; }

 private:
  struct Counters {
    std::atomic<uint64_t> decisions{0}, llm_calls{0}, llm_failures{0}, malformed_answers{0},
        fallbacks{0}, ai_error_rejections{0}, rule_decisions{0}, guardrail_overrides{0},
        prompt_tokens{0}, completion_tokens{0};
    std::array<std::atomic<uint64_t>, kGuardrailRuleCount> guardrail_by_rule{};
  };

  // The model's parsed answer, or why there is none.
  common::Result<LlmDecision> AskModel(const PricingRequest& request,
                                       const std::optional<double>& market_load);
  common::Result<PricingDecision> DecideTraced(const PricingRequest& request,
                                               telemetry::ScopedSpan& span);
  common::Result<PricingDecision> Fail(const PricingRequest& request, const common::Status& why);
  PricingDecision Finish(const PricingRequest& request, const LlmDecision& answer, bool cached,
                         telemetry::ScopedSpan& span);

  LlmStrategyOptions options_;
  std::unique_ptr<clients::ChatClient> chat_;
  std::unique_ptr<PricingStrategy> fallback_;
  DecisionCache cache_;
  Counters counters_;
  common::LlmMetrics::Call* metrics_ = nullptr;
  telemetry::Tracer tracer_{"aura.core.pricing"};
};

// Builds the strategy for config.llm (model, keys, base URL, temperature,
// timeout, reject_on_failure) with a RuleStrategy fallback at
// config.core.trigger_price. `options` supplies what config does not hold
// (cache, market load, clock, code generator, metrics); its model, temperature, timeout,
// reject_on_failure and trigger_price are overwritten from config.
// FAILED_PRECONDITION / INVALID_ARGUMENT as clients::ResolveProvider (a
// missing key, a model without a provider prefix, "rule").
common::Result<std::unique_ptr<LlmStrategy>> MakeLlmStrategy(const common::Config& config,
                                                             LlmStrategyOptions options = {});

}  // namespace aura::core
