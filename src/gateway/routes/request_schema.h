// File: gateway/routes/request_schema.h
//
// The request bodies of the agent routes, validated the way the original
// service's pydantic models did, with FastAPI's error shape for 422:
//
//   POST /v1/negotiate  {"item_id": str, "bid_amount": float > 0 and finite,
//                        "currency": str = "USD", "agent_did": str}
//   POST /v1/search     {"query": str (≤ kMaxQueryChars), "limit": int 1..50 = 3,
//                        "min_similarity": float = 0}
//
//   Validated<NegotiateBody> v = ValidateNegotiateBody(parsed_or_null);
//   if (!v.ok()) return ValidationErrorResponse(v.errors);
//
// Unknown fields are ignored, as existing clients expect. Types are strict
// where pydantic was lax only by accident: numbers must be JSON numbers (a
// string "850" is refused), strings must be JSON strings; an integral float
// is accepted for `limit` (3.0 → 3). Strings holding lone surrogates (valid
// JSON, not valid UTF-8) are refused as `string_unicode`.
//
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <vector>

#include "gateway/auth/json.h"
#include "gateway/error_mapping.h"

namespace aura::gateway {

inline constexpr size_t kMaxQueryChars = 1000;
inline constexpr size_t kMaxIdChars = 256;
inline constexpr size_t kMaxCurrencyChars = 16;
inline constexpr int kMinSearchLimit = 1;
inline constexpr int kMaxSearchLimit = 50;

template <typename T>
struct Validated {
  T value{};
  std::vector<FieldError> errors;
  bool ok() const { return errors.empty(); }
};

struct NegotiateBody {
  std::string item_id;
  double bid_amount = 0;
  std::string currency = "USD";
  std::string agent_did;
};

struct SearchBody {
  std::string query;
  int limit = 3;
  double min_similarity = 0;
};

// `body` is the parsed request body, or nullptr when the body was empty.
Validated<NegotiateBody> ValidateNegotiateBody(const JsonValue* body);
Validated<SearchBody> ValidateSearchBody(const JsonValue* body);

// Whether `id` is a UUID in one of the forms Python's uuid.UUID() accepts
// (hyphens anywhere, optional braces and urn:uuid: prefix, 32 hex digits).
bool IsUuid(std::string_view id);

}  // namespace aura::gateway
