// File: telemetry/api/attribute.h
//
// Span attribute values and the redaction rule that keeps secrets out of
// traces.
//
//   AttributeValue v = int64_t{42};
//   AttributeValue tags = std::vector<std::string>{"a", "b"};
//   if (IsSensitiveAttribute("http.request.header.authorization", value)) ...
//   span.SetAttribute("aura.reservation_code", code);   // recorded as "[REDACTED]"
//
// Attribute values are string, bool, int64, double or a homogeneous array of
// one of those (OpenTelemetry common attribute model). Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace aura::telemetry {

using AttributeValue = std::variant<bool, int64_t, double, std::string, std::vector<bool>,
                                    std::vector<int64_t>, std::vector<double>,
                                    std::vector<std::string>>;

// An attribute given at a call site, e.g. {"aura.outcome", "accepted"}.
struct Attribute {
  std::string_view key;
  AttributeValue value;
};

// What replaces a sensitive value.
inline constexpr std::string_view kRedacted = "[REDACTED]";

// The redaction rule (DESIGN §6, STYLE §7), applied by the SDK to every string
// attribute of spans, events and links:
//  - a key is sensitive when its last `.`-separated segment, lowercased with
//    `-` read as `_`, ends with one of: signature, api_key, apikey, token,
//    password, passwd, authorization, reservation_code, secret, private_key,
//    cookie (so `http.request.header.x-signature` and `aura.session_token` are,
//    `gen_ai.usage.input_tokens` is not);
//  - a string value is sensitive when it starts with `Bearer ` or `Basic `
//    (any case) or contains `<sensitive word>=` (a query string such as
//    `api_key=...&x=1`).
// Only string values (and strings inside arrays) are ever replaced; numbers and
// booleans are kept. Thread-safe, allocation-free.
bool IsSensitiveKey(std::string_view key) noexcept;
bool LooksLikeSecretValue(std::string_view value) noexcept;
inline bool IsSensitiveAttribute(std::string_view key, std::string_view value) noexcept {
  return IsSensitiveKey(key) || LooksLikeSecretValue(value);
}
// `value` or "[REDACTED]" according to the rule above; for call sites that put
// such values into logs or error messages.
inline std::string_view Redact(std::string_view key, std::string_view value) noexcept {
  return IsSensitiveAttribute(key, value) ? kRedacted : value;
}

}  // namespace aura::telemetry
