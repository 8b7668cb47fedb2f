// File: gateway/routes/response_json.h
//
// The core's answers as the JSON bodies existing clients read (DESIGN §3):
//
//   NegotiateJson  {"session_token","status","valid_until", ...} where status is
//                  accepted    -> "payment_required": false,
//                                 "data": {"final_price","reservation_code"}
//                                 (crypto: "payment_required": true,
//                                  "data": {"final_price","payment_instructions"})
//                  countered   -> "data": {"proposed_price","message","reason_code"}
//                  rejected    -> "data": {"reason_code"}
//                  ui_required -> "action_required": {"template","context"}
//   SearchJson     {"results": [{"id","name","price","score","details"}]},
//                  score rounded to 4 places
//   SystemStatusJson {"status","cpu_usage_percent","memory_usage_mb","timestamp","cached"}
//   DealStatusJson {"status", + "secret"/"proof" when PAID,
//                   "payment_instructions" when PENDING}
//
// Thread-safe (pure functions).
#pragma once

#include <string>

#include "aura/negotiation/v1/negotiation.pb.h"

namespace aura::gateway {

std::string NegotiateJson(const ::aura::negotiation::v1::NegotiateResponse& response);
std::string SearchJson(const ::aura::negotiation::v1::SearchResponse& response);
std::string SystemStatusJson(const ::aura::negotiation::v1::GetSystemStatusResponse& response);
std::string DealStatusJson(const ::aura::negotiation::v1::CheckDealStatusResponse& response);

// Python's round(x, 4) for the magnitudes scores have.
double RoundTo4(double x);

}  // namespace aura::gateway
