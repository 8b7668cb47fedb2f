#include "core/pricing/llm/llm_strategy.h"

#include <cmath>
#include <utility>

#include "common/log/log.h"
#include "core/pricing/llm/prompt.h"
#include "core/pricing/rule_strategy.h"

namespace aura::core {
namespace {

std::optional<double> SaneLoad(std::optional<double> load) {
  if (!load || !std::isfinite(*load)) return std::nullopt;
  return std::clamp(*load, 0.0, 1.0);
}

}  // namespace

LlmStrategy::LlmStrategy(LlmStrategyOptions options, std::unique_ptr<clients::ChatClient> chat,
                         std::unique_ptr<PricingStrategy> fallback)
    : options_(std::move(options)),
      chat_(std::move(chat)),
      fallback_(std::move(fallback)),
      cache_(options_.cache,
             options_.clock != nullptr ? *options_.clock : common::SystemClock::Instance()) {
  AURA_CHECK(chat_ != nullptr);
  AURA_CHECK(fallback_ != nullptr);
  if (!options_.reservation_code_generator) options_.reservation_code_generator = NewReservationCode;
  if (options_.malformed_retries < 0) options_.malformed_retries = 0;
  if (options_.metrics != nullptr) metrics_ = &options_.metrics->For(options_.model, "chat");
}

common::Result<PricingDecision> LlmStrategy::Decide(const PricingRequest& request) {
  ++counters_.decisions;
  auto span = tracer_.StartScopedSpan("pricing.llm");
  span.SetAttribute("aura.item_id", request.item_id)
      .SetAttribute("aura.bid", request.bid_amount)
      .SetAttribute("aura.prompt_version", kPromptVersion);
  common::Result<PricingDecision> result = DecideTraced(request, span);
  if (result.ok()) {
    span.SetAttribute("aura.outcome", storage::OutcomeName(result->outcome));
  } else {
    span.SetStatus(telemetry::StatusCode::kError, result.status().message());
  }
  return result;
}

common::Result<PricingDecision> LlmStrategy::DecideTraced(const PricingRequest& request,
                                                          telemetry::ScopedSpan& span) {
  const double bid = request.bid_amount;
  const storage::Item* item = request.item;
  // Nothing to judge: the rules' answer is the only right one, and the
  // above-trigger case must be ui_required whatever a model would say.
  if (!std::isfinite(bid) || bid <= 0 || item == nullptr || !item->active ||
      bid > options_.trigger_price) {
    ++counters_.rule_decisions;
    span.SetAttribute("aura.pricing.source", "rule");
    return fallback_->Decide(request);
  }
  const std::optional<double> load =
      SaneLoad(options_.market_load ? options_.market_load() : std::nullopt);
  const std::string key = cache_.Key({.item_id = item->id,
                                      .base_price = item->base_price,
                                      .floor_price = item->floor_price,
                                      .bid = bid,
                                      .reputation = request.reputation_score,
                                      .market_load = load,
                                      .model = options_.model,
                                      .prompt_version = std::string(kPromptVersion)});
  if (std::optional<LlmDecision> hit = cache_.Get(key)) {
    span.SetAttribute("aura.pricing.source", "cache");
    return Finish(request, *hit, true, span);
  }

  common::Result<LlmDecision> answer = AskModel(request, load);
  if (!answer.ok()) {
    span.SetAttribute("aura.pricing.source",
                      options_.reject_on_failure ? "reject_ai_error" : "rule_fallback");
    if (metrics_ != nullptr) metrics_->fallback->Increment();
    return Fail(request, answer.status());
  }
  cache_.Put(key, *answer);
  span.SetAttribute("aura.pricing.source", "llm");
  return Finish(request, *answer, false, span);
}

common::Result<LlmDecision> LlmStrategy::AskModel(const PricingRequest& request,
                                                  const std::optional<double>& market_load) {
  const storage::Item& item = *request.item;
  const clients::ChatRequest chat_request{
      .messages = BuildPricingPrompt({.item_id = item.id,
                                      .item_name = item.name,
                                      .item_description = item.description,
                                      .base_price = item.base_price,
                                      .floor_price = item.floor_price,
                                      .market_load = market_load,
                                      .trigger_price = options_.trigger_price,
                                      .bid = request.bid_amount,
                                      .currency = request.currency,
                                      .agent_did = request.agent_did,
                                      .reputation = request.reputation_score}),
      .temperature = options_.temperature,
      .json_object = true,
      .max_tokens = options_.max_tokens};
  const clients::Deadline deadline = clients::Deadline::After(options_.timeout);
  common::Status last = common::DeadlineExceededError("no time left to ask the model");
  for (int attempt = 0; attempt <= options_.malformed_retries; ++attempt) {
    if (deadline.Expired()) break;
    ++counters_.llm_calls;
    common::Result<clients::ChatResponse> response = chat_->Complete(chat_request, deadline);
    if (!response.ok()) {
      ++counters_.llm_failures;
      return response.status();
    }
    counters_.prompt_tokens += static_cast<uint64_t>(std::max<int64_t>(0, response->usage.prompt_tokens));
    counters_.completion_tokens +=
        static_cast<uint64_t>(std::max<int64_t>(0, response->usage.completion_tokens));
    common::Result<LlmDecision> parsed = ParseLlmDecision(response->content);
    if (parsed.ok()) return parsed;
    ++counters_.malformed_answers;
    last = parsed.status();
    AURA_LOG_WARNING("pricing.llm_malformed")
        .With("model", options_.model)
        .With("attempt", attempt + 1)
        .With("finish_reason", response->finish_reason)
        .With("error", last.message());
  }
  return last;
}

common::Result<PricingDecision> LlmStrategy::Fail(const PricingRequest& request,
                                                  const common::Status& why) {
  if (options_.reject_on_failure) {
    ++counters_.ai_error_rejections;
    AURA_LOG_WARNING("pricing.fallback")
        .With("strategy", "reject_ai_error")
        .With("model", options_.model)
        .With("item_id", request.item_id)
        .With("error", why.ToString());
    PricingDecision d;
    d.outcome = storage::Outcome::kRejected;
    d.reason_code = std::string(kReasonAiError);
    return d;
  }
  ++counters_.fallbacks;
  AURA_LOG_WARNING("pricing.fallback")
      .With("strategy", "rule_fallback")
      .With("model", options_.model)
      .With("item_id", request.item_id)
      .With("error", why.ToString());
  return fallback_->Decide(request);
}

PricingDecision LlmStrategy::Finish(const PricingRequest& request, const LlmDecision& answer,
                                    bool cached, telemetry::ScopedSpan& span) {
  const storage::Item& item = *request.item;
  GuardedDecision g = ApplyGuardrails(answer, {.bid = request.bid_amount,
                                               .floor = item.floor_price,
                                               .base = item.base_price,
                                               .trigger = options_.trigger_price});
  for (GuardrailRule rule : g.overrides) {
    ++counters_.guardrail_overrides;
    ++counters_.guardrail_by_rule[static_cast<size_t>(rule)];
    AURA_LOG_WARNING("pricing.guardrail")
        .With("rule", GuardrailRuleName(rule))
        .With("model", options_.model)
        .With("item_id", request.item_id)
        .With("bid", request.bid_amount)
        .With("model_action", LlmActionName(answer.action))
        .With("model_price", answer.price.value_or(0.0))
        .With("outcome", storage::OutcomeName(g.decision.outcome))
        .With("price", g.decision.price)
        .With("cached", cached);
  }
  if (!g.overrides.empty()) {
    std::vector<std::string> rules;
    for (GuardrailRule rule : g.overrides) rules.emplace_back(GuardrailRuleName(rule));
    span.SetAttribute("aura.guardrail.rules", std::move(rules));
  }
  if (g.decision.outcome == storage::Outcome::kAccepted) {
    g.decision.reservation_code = options_.reservation_code_generator();
  }
  AURA_LOG_DEBUG("pricing.llm_decided")
      .With("model", options_.model)
      .With("prompt_version", kPromptVersion)
      .With("item_id", request.item_id)
      .With("model_action", LlmActionName(answer.action))
      .With("outcome", storage::OutcomeName(g.decision.outcome))
      .With("cached", cached)
      .With("reasoning", answer.reasoning);
  return g.decision;
}

LlmStrategyStats LlmStrategy::stats() const {
  LlmStrategyStats s;
  s.decisions = counters_.decisions.load();
  s.llm_calls = counters_.llm_calls.load();
  s.llm_failures = counters_.llm_failures.load();
  s.malformed_answers = counters_.malformed_answers.load();
  s.fallbacks = counters_.fallbacks.load();
  s.ai_error_rejections = counters_.ai_error_rejections.load();
  s.rule_decisions = counters_.rule_decisions.load();
  s.guardrail_overrides = counters_.guardrail_overrides.load();
  for (size_t i = 0; i < s.guardrail_by_rule.size(); ++i) {
    s.guardrail_by_rule[i] = counters_.guardrail_by_rule[i].load();
  }
  s.prompt_tokens = counters_.prompt_tokens.load();
  s.completion_tokens = counters_.completion_tokens.load();
  const DecisionCache::Stats cache = cache_.stats();
  s.cache_hits = cache.hits;
  s.cache_misses = cache.misses;
  return s;
}

common::Result<std::unique_ptr<LlmStrategy>> MakeLlmStrategy(const common::Config& config,
                                                             LlmStrategyOptions options) {
  options.model = config.llm.model;
  options.temperature = config.llm.temperature;
  options.timeout = config.llm.timeout;
  options.reject_on_failure = config.llm.reject_on_failure;
  options.trigger_price = config.core.trigger_price;
  clients::ApiClientOptions api;
  api.metrics = options.metrics;
  api.metrics_model = config.llm.model;
  AURA_ASSIGN_OR_RETURN(std::unique_ptr<clients::ChatClient> chat,
                        clients::MakeChatClient(config, std::move(api)));
  auto rules = std::make_unique<RuleStrategy>(RuleStrategyOptions{
      .trigger_price = config.core.trigger_price,
      .reservation_code_generator = options.reservation_code_generator});
  return std::make_unique<LlmStrategy>(std::move(options), std::move(chat), std::move(rules));
}

}  // namespace aura::core
