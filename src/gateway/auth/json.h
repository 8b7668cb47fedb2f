// File: gateway/auth/json.h
//
// A small JSON document model and parser for the gateway's request bodies.
//
// Why our own: the signature contract (DESIGN §3) hashes the body re-serialised
// exactly as Python's `json.dumps(json.loads(body), sort_keys=True,
// separators=(",", ":"))`. That needs the original text of every number
// (Python keeps integers of any size and re-prints floats from their parsed
// value), every duplicate key in input order (last wins), and the exact set of
// inputs Python accepts (NaN/Infinity literals, lone surrogate escapes). No
// packaged JSON library keeps number text and reproduces json.dumps, so the
// parser and the canonical writer (canonical_json.h) live here, side by side.
//
//   AURA_ASSIGN_OR_RETURN(JsonValue body, ParseJson(text));
//   if (!body.IsObject()) return InvalidArgumentError("body must be an object");
//   if (const JsonValue* bid = body.Find("bid_amount"); bid && bid->IsNumber()) {
//     double amount = bid->AsDouble();   // finiteness is the caller's check
//   }
//
// What ParseJson accepts: RFC 8259 JSON text in strict UTF-8, plus the literals
// `NaN`, `Infinity` and `-Infinity` that Python's json.loads accepts. It
// rejects, each with INVALID_ARGUMENT "<what> at byte <offset>": invalid UTF-8
// (overlong forms, UTF-8-encoded surrogates, truncated sequences), raw control
// characters (U+0000..U+001F) inside strings, bad escapes, trailing data,
// nesting deeper than JsonLimits::max_depth, text longer than
// JsonLimits::max_bytes, and integers of more than 4300 digits (Python raises
// ValueError for those; we answer 400 rather than 500). A leading UTF-8
// byte-order mark is skipped, as Python does for bytes.
//
// Deliberate differences from json.loads(bytes): Python decodes bytes with
// 'surrogatepass' (so raw ED A0 80 passes) and sniffs UTF-16/32 text; neither
// is RFC 8259 JSON and no client sends them (json.dumps writes ASCII), so we
// reject both. testdata/make_vectors.py lists them as "deviation_" vectors.
//
// Lone surrogate escapes: Python accepts `"\ud800"` and json.dumps writes it
// back as `\ud800`, so a client may sign a body holding one. We accept them too
// so such signatures verify, and keep them in the string as the three-byte
// generalised UTF-8 form of the surrogate (ED A0 80; "WTF-8"). Such a string is
// not valid UTF-8: before handing a string to protobuf or a database, routes
// check `HasLoneSurrogate()` and answer 422.
//
// The parser is iterative (an explicit stack), so no input can overflow the
// call stack; the canonical writer and the destructor recurse at most
// max_depth levels, which is why max_depth is capped at kMaxJsonDepthCeiling.
//
// Thread-compatible values; ParseJson is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace aura::gateway {

// The largest max_depth honoured; larger settings are clamped to it.
inline constexpr int kMaxJsonDepthCeiling = 1000;
// Python's default limit on the digits of an integer converted from text.
inline constexpr size_t kMaxJsonIntegerDigits = 4300;

struct JsonLimits {
  // Containers ({} or []) open at once; the 65th nested level fails by default.
  int max_depth = 64;
  // Longest accepted text. The HTTP layer enforces its own (413) body limit first.
  size_t max_bytes = 1 << 20;
};

class JsonValue;
struct JsonMember;
using JsonArray = std::vector<JsonValue>;
// Members in input order, duplicates kept (Find and CanonicalJson apply last-wins).
using JsonObject = std::vector<JsonMember>;

// A number as written: `text` is the exact input ("850", "1E5", "-0.0", "NaN",
// "-Infinity"), `is_integer` when it has neither fraction nor exponent.
struct JsonNumber {
  std::string text;
  bool is_integer = false;
  friend bool operator==(const JsonNumber&, const JsonNumber&) = default;
};

// One JSON value. Thread-compatible.
class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  // Constructors are defined after JsonMember: the variant's members must be
  // complete types where they are instantiated (clang insists).
  JsonValue();  // null
  explicit JsonValue(bool b);
  explicit JsonValue(JsonNumber n);
  // A UTF-8 (or, with lone surrogates, WTF-8) string.
  explicit JsonValue(std::string s);
  explicit JsonValue(JsonArray a);
  explicit JsonValue(JsonObject o);

  Type type() const noexcept { return static_cast<Type>(v_.index()); }
  bool IsNull() const noexcept { return type() == Type::kNull; }
  bool IsBool() const noexcept { return type() == Type::kBool; }
  bool IsNumber() const noexcept { return type() == Type::kNumber; }
  // A number written without fraction or exponent (Python `int`).
  bool IsInteger() const noexcept { return IsNumber() && std::get<JsonNumber>(v_).is_integer; }
  bool IsString() const noexcept { return type() == Type::kString; }
  bool IsArray() const noexcept { return type() == Type::kArray; }
  bool IsObject() const noexcept { return type() == Type::kObject; }

  // Accessors below abort when the type does not match (a caller bug): check first.
  bool AsBool() const;
  const JsonNumber& AsNumber() const;
  // The number's value as Python's float() gives it: correctly rounded,
  // ±inf when the magnitude overflows, NaN for `NaN`. Finiteness is the caller's check.
  double AsDouble() const;
  const std::string& AsString() const;
  const JsonArray& AsArray() const;
  const JsonObject& AsObject() const;

  // The number as int64: integers in range, and floats with an integral value
  // in range (as pydantic's lax int does: 3.0 → 3). INVALID_ARGUMENT otherwise
  // (not a number, a fraction, out of range).
  common::Result<int64_t> AsInt64() const;

  // On an object: the value of the last member named `key` (Python's dict keeps
  // the last duplicate), or nullptr. nullptr on any other type.
  const JsonValue* Find(std::string_view key) const noexcept;

  // On a string: whether it holds a surrogate that came from a lone `\uD8xx`
  // escape, i.e. is not valid UTF-8.
  bool HasLoneSurrogate() const noexcept;

  friend bool operator==(const JsonValue&, const JsonValue&);

 private:
  friend struct JsonValueAccess;  // lets the parser grow containers in place

  std::variant<std::monostate, bool, JsonNumber, std::string, JsonArray, JsonObject> v_;
};

struct JsonMember {
  std::string key;
  JsonValue value;
  friend bool operator==(const JsonMember&, const JsonMember&) = default;
};

inline JsonValue::JsonValue() = default;
inline JsonValue::JsonValue(bool b) : v_(b) {}
inline JsonValue::JsonValue(JsonNumber n) : v_(std::move(n)) {}
inline JsonValue::JsonValue(std::string s) : v_(std::move(s)) {}
inline JsonValue::JsonValue(JsonArray a) : v_(std::move(a)) {}
inline JsonValue::JsonValue(JsonObject o) : v_(std::move(o)) {}
inline bool operator==(const JsonValue& a, const JsonValue& b) { return a.v_ == b.v_; }

// Parses one JSON text (see the file comment for what is accepted).
// INVALID_ARGUMENT "<reason> at byte <offset>" on any error. Thread-safe.
common::Result<JsonValue> ParseJson(std::string_view text, const JsonLimits& limits = {});

// Whether `s` is strictly valid UTF-8 (no overlongs, surrogates or values above U+10FFFF).
bool IsValidUtf8(std::string_view s) noexcept;

}  // namespace aura::gateway
