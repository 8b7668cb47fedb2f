// File: gateway/auth/canonical_json.h
//
// The canonical body that request signatures cover (DESIGN §3): byte for byte
// what Python writes for
//
//   json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
//
// with json.dumps' other defaults (ensure_ascii=True, allow_nan=True):
//   - object keys sorted by code point (Python's str order; UTF-8 byte order is
//     the same order, UTF-16 order would not be), duplicate keys last-wins;
//   - strings: `"` and `\` escaped, \n \r \t \b \f as such, every other
//     character outside 0x20..0x7E as \u00xx / \uXXXX in lowercase hex, with
//     surrogate pairs above U+FFFF and lone surrogates written back as escapes;
//   - integers exactly as written, of any size (`-0` becomes `0`);
//   - floats (any number with a fraction or exponent, so `1E5` → `100000.0`) in
//     Python's repr: shortest round-trip digits, `850.0` keeps `.0`, exponent
//     form when the decimal exponent is below -4 or at least 16 (`1e-05`,
//     `1e+16`, `1.5e+300`), `-0.0`, overflow → `Infinity`, `NaN`;
//   - no whitespace at all.
//
//   AURA_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(body_text));
//   std::string body_hash = Sha256Hex(canonical);       // signature.h
//
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/auth/json.h"

namespace aura::gateway {

// Parses `body` (with `limits`) and writes its canonical form. An empty body
// gives the empty string (clients hash "" then). INVALID_ARGUMENT as ParseJson.
common::Result<std::string> CanonicalJson(std::string_view body, const JsonLimits& limits = {});

// The canonical form of an already parsed value.
std::string CanonicalJson(const JsonValue& value);

// Appends the canonical form of `value` to `out`.
void AppendCanonicalJson(std::string& out, const JsonValue& value);

// Python's repr() of a double ("850.0", "1e-05", "1e+16", "-0.0", "NaN", "Infinity").
std::string PythonFloatRepr(double value);

}  // namespace aura::gateway
