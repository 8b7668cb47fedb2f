#include "gateway/routes/response_json.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gateway/json_writer.h"

namespace aura::gateway {

namespace pb = ::aura::negotiation::v1;

namespace {

void PaymentInstructions(JsonWriter& w, const pb::CryptoPaymentInstructions& p) {
  w.BeginObject()
      .Key("deal_id").String(p.deal_id())
      .Key("wallet_address").String(p.wallet_address())
      .Key("amount").Double(p.amount())
      .Key("currency").String(p.currency())
      .Key("memo").String(p.memo())
      .Key("network").String(p.network())
      .Key("expires_at").Int(p.expires_at())
      .EndObject();
}

}  // namespace

double RoundTo4(double x) {
  if (!std::isfinite(x)) return x;
  return std::nearbyint(x * 10000.0) / 10000.0;  // ties to even, as Python
}

std::string NegotiateJson(const pb::NegotiateResponse& r) {
  JsonWriter w;
  w.BeginObject().Key("session_token").String(r.session_token()).Key("status");
  switch (r.result_case()) {
    case pb::NegotiateResponse::kAccepted: {
      const auto& a = r.accepted();
      w.String("accepted").Key("valid_until").Int(r.valid_until_timestamp());
      if (a.has_crypto_payment()) {
        w.Key("payment_required").Bool(true).Key("data").BeginObject();
        w.Key("final_price").Double(a.final_price()).Key("payment_instructions");
        PaymentInstructions(w, a.crypto_payment());
        w.EndObject();
      } else {
        w.Key("payment_required").Bool(false).Key("data").BeginObject();
        w.Key("final_price").Double(a.final_price());
        w.Key("reservation_code").String(a.reservation_code()).EndObject();
      }
      break;
    }
    case pb::NegotiateResponse::kCountered: {
      const auto& c = r.countered();
      w.String("countered").Key("valid_until").Int(r.valid_until_timestamp());
      w.Key("data").BeginObject()
          .Key("proposed_price").Double(c.proposed_price())
          .Key("message").String(c.human_message())
          .Key("reason_code").String(c.reason_code())
          .EndObject();
      break;
    }
    case pb::NegotiateResponse::kRejected:
      w.String("rejected").Key("valid_until").Int(r.valid_until_timestamp());
      w.Key("data").BeginObject().Key("reason_code").String(r.rejected().reason_code()).EndObject();
      break;
    case pb::NegotiateResponse::kUiRequired: {
      const auto& u = r.ui_required();
      w.String("ui_required").Key("valid_until").Int(r.valid_until_timestamp());
      w.Key("action_required").BeginObject().Key("template").String(u.template_id());
      // Sorted, so the same answer always has the same bytes.
      std::vector<std::pair<std::string, std::string>> ctx(u.context_data().begin(),
                                                           u.context_data().end());
      std::sort(ctx.begin(), ctx.end());
      w.Key("context").BeginObject();
      for (const auto& [k, v] : ctx) w.Key(k).String(v);
      w.EndObject().EndObject();
      break;
    }
    default:
      w.Null().Key("valid_until").Int(r.valid_until_timestamp());
      break;
  }
  w.EndObject();
  return std::move(w).Take();
}

std::string SearchJson(const pb::SearchResponse& r) {
  JsonWriter w;
  w.BeginObject().Key("results").BeginArray();
  for (const auto& item : r.results()) {
    w.BeginObject()
        .Key("id").String(item.item_id())
        .Key("name").String(item.name())
        .Key("price").Double(item.base_price())
        .Key("score").Double(RoundTo4(item.similarity_score()))
        .Key("details").String(item.description_snippet())
        .EndObject();
  }
  w.EndArray().EndObject();
  return std::move(w).Take();
}

std::string SystemStatusJson(const pb::GetSystemStatusResponse& r) {
  JsonWriter w;
  w.BeginObject()
      .Key("status").String(r.status())
      .Key("cpu_usage_percent").Double(r.cpu_usage_percent())
      .Key("memory_usage_mb").Double(r.memory_usage_mb())
      .Key("timestamp").String(r.timestamp())
      .Key("cached").Bool(r.cached())
      .EndObject();
  return std::move(w).Take();
}

std::string DealStatusJson(const pb::CheckDealStatusResponse& r) {
  JsonWriter w;
  w.BeginObject().Key("status").String(r.status());
  if (r.status() == "PAID") {
    const auto& s = r.secret();
    w.Key("secret").BeginObject()
        .Key("reservation_code").String(s.reservation_code())
        .Key("item_name").String(s.item_name())
        .Key("final_price").Double(s.final_price())
        .Key("paid_at").Int(s.paid_at())
        .EndObject();
    const auto& p = r.proof();
    w.Key("proof").BeginObject()
        .Key("transaction_hash").String(p.transaction_hash())
        .Key("block_number").Int(p.block_number())
        .Key("from_address").String(p.from_address())
        .Key("confirmed_at").Int(p.confirmed_at())
        .EndObject();
  } else if (r.status() == "PENDING") {
    w.Key("payment_instructions");
    PaymentInstructions(w, r.payment_instructions());
  }
  w.EndObject();
  return std::move(w).Take();
}

}  // namespace aura::gateway
