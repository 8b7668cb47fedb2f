// File: common/text/percent_decode.h
//
// Percent-decoding (RFC 3986 §2.1), for query strings, URL parts and the
// OTEL_* variables that carry percent-encoded values.
//
//   PercentDecode("a%20b")                          // "a b"
//   PercentDecode("a+b", {.plus_is_space = true})   // "a b" (form/query style)
//   PercentDecode("50%")                            // nullopt: broken escape
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aura::common {

struct PercentDecodeOptions {
  bool plus_is_space = false;  // '+' decodes to ' ' (application/x-www-form-urlencoded)
};

// The decoded text, or nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view text, PercentDecodeOptions options = {});

// 0–15 for a hex digit (either case), else -1.
int HexDigitValue(char c) noexcept;

}  // namespace aura::common
