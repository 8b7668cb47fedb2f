#include "core/service/negotiation_service.h"

#include <cmath>
#include <optional>
#include <utility>

#include "core/service/ids.h"
#include "telemetry/api/tracer.h"

namespace aura::core {
namespace {

using common::Result;
using common::Status;
using common::StatusCode;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Every storage failure on the request path means "try again later" to the
// caller; the message keeps the store's reason for the logs.
Status StorageUnavailable(const Status& status) {
  return common::UnavailableError("storage unavailable: " + status.message());
}

std::string NormalizedCurrency(const std::string& currency) {
  if (currency.empty()) return "USD";
  std::string out = currency;
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

NegotiationService::NegotiationService(PricingStrategy& strategy, storage::Store& store,
                                       const common::Clock& clock,
                                       NegotiationServiceOptions options)
    : strategy_(strategy), store_(store), clock_(clock), options_(std::move(options)) {
  if (options_.system_status == nullptr) local_status_ = std::make_unique<LocalSystemStatus>(clock_);
}

Status NegotiationService::Validate(const NegotiateInput& input) {
  if (input.request_id.size() > kMaxRequestIdBytes) {
    return common::InvalidArgumentError("request_id must be at most 256 bytes");
  }
  if (input.item_id.empty()) return common::InvalidArgumentError("item_id must not be empty");
  if (input.item_id.size() > kMaxItemIdBytes) {
    return common::InvalidArgumentError("item_id must be at most 256 bytes");
  }
  if (!input.currency.empty()) {
    bool ok = input.currency.size() == 3;
    for (char c : input.currency) ok = ok && IsAsciiLetter(c);
    if (!ok) return common::InvalidArgumentError("currency_code must be three letters, e.g. USD");
  }
  if (!std::isfinite(input.bid_amount) || input.bid_amount <= 0) {
    return common::InvalidArgumentError("bid_amount must be a positive finite number");
  }
  return common::OkStatus();
}

Result<NegotiateOutput> NegotiationService::Negotiate(const NegotiateInput& input) {
  AURA_RETURN_IF_ERROR(Validate(input));
  const std::string request_id = input.request_id.empty() ? NewRequestId() : input.request_id;

  if (!input.request_id.empty()) {
    Result<std::optional<storage::NegotiationRecord>> stored = store_.FindNegotiation(request_id);
    if (!stored.ok()) return StorageUnavailable(stored.status());
    if (stored->has_value()) return NegotiateOutput{std::move(**stored), true};
  }

  std::optional<storage::Item> item;
  {
    Result<storage::Item> found = store_.FindItem(input.item_id);
    if (found.ok()) {
      item = std::move(*found);
    } else if (found.status().code() != StatusCode::kNotFound) {
      return StorageUnavailable(found.status());
    }
  }

  PricingRequest pricing{
      .request_id = request_id,
      .item_id = input.item_id,
      .bid_amount = input.bid_amount,
      .currency = NormalizedCurrency(input.currency),
      .agent_did = input.agent_did,
      .reputation_score = input.reputation_score,
      .item = item ? &*item : nullptr,
  };
  static const telemetry::Tracer tracer("aura.core.pricing");
  common::Result<PricingDecision> decided = [&] {
    // The reservation code never goes on the span.
    auto span = tracer.StartScopedSpan("pricing.decide");
    span.SetAttribute("aura.item_id", input.item_id)
        .SetAttribute("aura.bid_amount", input.bid_amount)
        .SetAttribute("aura.agent_did", input.agent_did)
        .SetAttribute("aura.strategy", strategy_.Name());
    common::Result<PricingDecision> d = strategy_.Decide(pricing);
    if (d.ok()) {
      span.SetAttribute("aura.outcome", storage::OutcomeName(d->outcome))
          .SetAttribute("aura.reason_code", d->reason_code);
    } else {
      span.SetAttribute("error.type", common::StatusCodeName(d.status().code()))
          .SetStatus(telemetry::StatusCode::kError, d.status().message());
    }
    return d;
  }();
  AURA_ASSIGN_OR_RETURN(PricingDecision decision, std::move(decided));
  if (options_.metrics != nullptr) {
    try {
      options_.metrics->Outcome(storage::OutcomeName(decision.outcome), decision.reason_code);
    } catch (...) {
      // Counting must never fail a negotiation.
    }
  }

  const int64_t now = clock_.NowUnixSeconds();
  storage::NegotiationRecord record{
      .request_id = request_id,
      .session_token = "sess_" + request_id,
      .agent_did = input.agent_did,
      .item_id = input.item_id,
      .bid_amount = input.bid_amount,
      .currency = std::move(pricing.currency),
      .outcome = decision.outcome,
      .price = decision.price,
      .reason_code = std::move(decision.reason_code),
      .message = std::move(decision.message),
      .reservation_code = std::move(decision.reservation_code),
      .ui_template = std::move(decision.ui_template),
      .ui_context = std::move(decision.ui_context),
      .strategy = strategy_.Name(),
      .trace_id = input.trace_id,
      .created_at = now,
      .valid_until = now + options_.session_ttl.count(),
  };

  Status inserted = store_.InsertNegotiation(record);
  if (inserted.ok()) return NegotiateOutput{std::move(record), false};
  if (inserted.code() != StatusCode::kAlreadyExists) return StorageUnavailable(inserted);

  // A concurrent request with the same request_id stored its decision first:
  // answer with that one so both callers see the same outcome.
  Result<std::optional<storage::NegotiationRecord>> winner = store_.FindNegotiation(request_id);
  if (!winner.ok()) return StorageUnavailable(winner.status());
  if (!winner->has_value()) {
    return common::InternalError("request_id " + request_id +
                                 " reported as taken but no decision is stored");
  }
  return NegotiateOutput{std::move(**winner), true};
}

SystemStatus NegotiationService::GetSystemStatus() {
  SystemStatusSource& source =
      options_.system_status != nullptr ? *options_.system_status : *local_status_;
  return source.Get();
}

Status NegotiationService::CheckDealStatus(const std::string& deal_id) {
  if (!IsUuid(deal_id)) return common::InvalidArgumentError("deal_id must be a UUID");
  return common::UnimplementedError("Crypto payments not enabled");
}

Result<std::vector<SearchHit>> NegotiationService::Search(const SearchQuery& query) {
  if (!options_.search) return common::UnimplementedError("Search is not enabled on this core");
  return options_.search(query);
}

}  // namespace aura::core
