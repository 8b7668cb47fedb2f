#include "gateway/auth/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace aura::gateway {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendEscapeU(std::string& out, uint32_t unit) {
  out += "\\u";
  out.push_back(kHexDigits[(unit >> 12) & 0xF]);
  out.push_back(kHexDigits[(unit >> 8) & 0xF]);
  out.push_back(kHexDigits[(unit >> 4) & 0xF]);
  out.push_back(kHexDigits[unit & 0xF]);
}

// Decodes one (generalised) UTF-8 sequence at s[i]; the parser produced the
// string, so it is well formed apart from possible lone surrogates.
uint32_t DecodeAt(std::string_view s, size_t& i) {
  auto b = [&](size_t k) -> uint32_t { return static_cast<unsigned char>(s[k]); };
  uint32_t b0 = b(i);
  if (b0 < 0x80) {
    i += 1;
    return b0;
  }
  if (b0 < 0xE0 && i + 1 < s.size()) {
    uint32_t cp = ((b0 & 0x1F) << 6) | (b(i + 1) & 0x3F);
    i += 2;
    return cp;
  }
  if (b0 < 0xF0 && i + 2 < s.size()) {
    uint32_t cp = ((b0 & 0x0F) << 12) | ((b(i + 1) & 0x3F) << 6) | (b(i + 2) & 0x3F);
    i += 3;
    return cp;
  }
  if (i + 3 < s.size()) {
    uint32_t cp = ((b0 & 0x07) << 18) | ((b(i + 1) & 0x3F) << 12) | ((b(i + 2) & 0x3F) << 6) |
                  (b(i + 3) & 0x3F);
    i += 4;
    return cp;
  }
  // Truncated input (only reachable with hand-built values): U+FFFD, as a
  // lenient decoder would.
  i = s.size();
  return 0xFFFD;
}

void AppendString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      default: break;
    }
    uint32_t cp = DecodeAt(s, i);
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      AppendEscapeU(out, 0xD800 | (v >> 10));
      AppendEscapeU(out, 0xDC00 | (v & 0x3FF));
    } else {
      AppendEscapeU(out, cp);
    }
  }
  out.push_back('"');
}

void AppendInteger(std::string& out, const std::string& text) {
  // The grammar forbids leading zeros, so only `-0` differs from Python's str(int).
  if (text == "-0") {
    out.push_back('0');
  } else {
    out += text;
  }
}

// Python's float_repr_style 'short' with 'r' mode: the shortest digits that
// round-trip, fixed notation when -4 <= exponent < 16, else d.ddde±XX.
void AppendFloatRepr(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));  // e.g. "-1.2345e+16", "5e-324"
  if (!sci.empty() && sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  digits.reserve(20);
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e_pos + 1);
  bool exp_negative = exp_text.front() == '-';
  std::from_chars(exp_text.data() + 1, exp_text.data() + exp_text.size(), exponent);
  if (exp_negative) exponent = -exponent;

  const int ndigits = static_cast<int>(digits.size());
  if (exponent < -4 || exponent >= 16) {
    out.push_back(digits[0]);
    if (ndigits > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    int abs_exp = exponent < 0 ? -exponent : exponent;
    if (abs_exp < 10) out.push_back('0');
    out += std::to_string(abs_exp);
    return;
  }
  const int decpt = exponent + 1;  // digits before the decimal point
  if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= ndigits) {
    out += digits;
    out.append(static_cast<size_t>(decpt - ndigits), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<size_t>(decpt));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(decpt));
  }
}

}  // namespace

std::string PythonFloatRepr(double value) {
  std::string out;
  AppendFloatRepr(out, value);
  return out;
}

void AppendCanonicalJson(std::string& out, const JsonValue& value) {
  switch (value.type()) {
    case JsonValue::Type::kNull:
      out += "null";
      return;
    case JsonValue::Type::kBool:
      out += value.AsBool() ? "true" : "false";
      return;
    case JsonValue::Type::kNumber:
      if (value.IsInteger()) {
        AppendInteger(out, value.AsNumber().text);
      } else {
        AppendFloatRepr(out, value.AsDouble());
      }
      return;
    case JsonValue::Type::kString:
      AppendString(out, value.AsString());
      return;
    case JsonValue::Type::kArray: {
      out.push_back('[');
      bool first = true;
      for (const JsonValue& element : value.AsArray()) {
        if (!first) out.push_back(',');
        first = false;
        AppendCanonicalJson(out, element);
      }
      out.push_back(']');
      return;
    }
    case JsonValue::Type::kObject: {
      const JsonObject& members = value.AsObject();
      // Sort member indices by key (byte order of UTF-8 = code point order),
      // ties by position, then keep the last of each run of equal keys.
      std::vector<uint32_t> order(members.size());
      std::iota(order.begin(), order.end(), 0u);
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        int c = members[a].key.compare(members[b].key);
        return c != 0 ? c < 0 : a < b;
      });
      out.push_back('{');
      bool first = true;
      for (size_t k = 0; k < order.size(); ++k) {
        if (k + 1 < order.size() && members[order[k]].key == members[order[k + 1]].key) continue;
        const JsonMember& m = members[order[k]];
        if (!first) out.push_back(',');
        first = false;
        AppendString(out, m.key);
        out.push_back(':');
        AppendCanonicalJson(out, m.value);
      }
      out.push_back('}');
      return;
    }
  }
}

std::string CanonicalJson(const JsonValue& value) {
  std::string out;
  AppendCanonicalJson(out, value);
  return out;
}

common::Result<std::string> CanonicalJson(std::string_view body, const JsonLimits& limits) {
  if (body.empty()) return std::string();
  AURA_ASSIGN_OR_RETURN(JsonValue value, ParseJson(body, limits));
  return CanonicalJson(value);
}

}  // namespace aura::gateway
