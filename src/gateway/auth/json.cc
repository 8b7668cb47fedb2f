#include "gateway/auth/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <system_error>

namespace aura::gateway {

// JsonValue keeps its variant private; the parser is the one place that grows
// containers in place, through this accessor.
struct JsonValueAccess {
  static auto& Variant(JsonValue& v) { return v.v_; }
};

bool JsonValue::AsBool() const {
  AURA_CHECK(IsBool());
  return std::get<bool>(v_);
}

const JsonNumber& JsonValue::AsNumber() const {
  AURA_CHECK(IsNumber());
  return std::get<JsonNumber>(v_);
}

const std::string& JsonValue::AsString() const {
  AURA_CHECK(IsString());
  return std::get<std::string>(v_);
}

const JsonArray& JsonValue::AsArray() const {
  AURA_CHECK(IsArray());
  return std::get<JsonArray>(v_);
}

const JsonObject& JsonValue::AsObject() const {
  AURA_CHECK(IsObject());
  return std::get<JsonObject>(v_);
}

namespace {

// Converts number text from the parser's grammar to a double the way Python's
// float() does: correctly rounded; overflow gives ±inf, underflow ±0.
double TextToDouble(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0.0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc()) return value;
  // Out of range: decide between overflow and underflow from the decimal
  // exponent of the first significant digit.
  bool negative = !text.empty() && text.front() == '-';
  size_t i = negative ? 1 : 0;
  int64_t point = 0;        // digits before the decimal point
  int64_t first_sig = -1;   // index (among all digits) of the first non-zero digit
  int64_t digit_index = 0;
  bool in_fraction = false;
  int64_t exponent = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      in_fraction = true;
    } else if (c == 'e' || c == 'E') {
      std::string_view exp_text = text.substr(i + 1);
      bool exp_negative = !exp_text.empty() && exp_text.front() == '-';
      if (!exp_text.empty() && (exp_text.front() == '-' || exp_text.front() == '+')) {
        exp_text.remove_prefix(1);
      }
      for (char d : exp_text) {
        exponent = std::min<int64_t>(exponent * 10 + (d - '0'), int64_t{1} << 40);
      }
      if (exp_negative) exponent = -exponent;
      break;
    } else {
      if (first_sig < 0 && c != '0') first_sig = digit_index;
      ++digit_index;
      if (!in_fraction) ++point;
    }
  }
  double magnitude = 0.0;
  if (first_sig >= 0 && point - first_sig + exponent > 0) {
    magnitude = std::numeric_limits<double>::infinity();
  }
  return negative ? -magnitude : magnitude;
}

}  // namespace

double JsonValue::AsDouble() const { return TextToDouble(AsNumber().text); }

common::Result<int64_t> JsonValue::AsInt64() const {
  if (!IsNumber()) return common::InvalidArgumentError("not a number");
  const JsonNumber& n = std::get<JsonNumber>(v_);
  if (n.is_integer) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(n.text.data(), n.text.data() + n.text.size(), value);
    if (ec != std::errc() || ptr != n.text.data() + n.text.size()) {
      return common::InvalidArgumentError("integer out of range");
    }
    return value;
  }
  double d = TextToDouble(n.text);
  if (!std::isfinite(d) || std::trunc(d) != d) {
    return common::InvalidArgumentError("not an integer");
  }
  // 2^63 is exactly representable; anything at or above it is out of range.
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
    return common::InvalidArgumentError("integer out of range");
  }
  return static_cast<int64_t>(d);
}

const JsonValue* JsonValue::Find(std::string_view key) const noexcept {
  if (!IsObject()) return nullptr;
  const JsonObject& members = std::get<JsonObject>(v_);
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->key == key) return &it->value;
  }
  return nullptr;
}

bool JsonValue::HasLoneSurrogate() const noexcept {
  if (!IsString()) return false;
  const std::string& s = std::get<std::string>(v_);
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xED && static_cast<unsigned char>(s[i + 1]) >= 0xA0) {
      return true;
    }
  }
  return false;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) noexcept {
  auto byte = [&](size_t k) -> unsigned { return static_cast<unsigned char>(s[k]); };
  unsigned b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 == 0xE0) {
    len = 3, lo = 0xA0;
  } else if (b0 == 0xED) {
    len = 3, hi = 0x9F;  // excludes UTF-8-encoded surrogates
  } else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) {
    len = 3;
  } else if (b0 == 0xF0) {
    len = 4, lo = 0x90;
  } else if (b0 >= 0xF1 && b0 <= 0xF3) {
    len = 4;
  } else if (b0 == 0xF4) {
    len = 4, hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

void AppendCodePoint(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {  // includes lone surrogates (generalised UTF-8)
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsJsonWhitespace(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Iterative parser: containers under construction live on `stack_`, so input
// nesting never turns into native recursion.
class Parser {
 public:
  Parser(std::string_view text, const JsonLimits& limits)
      : s_(text),
        max_depth_(static_cast<size_t>(std::clamp(limits.max_depth, 0, kMaxJsonDepthCeiling))) {}

  common::Result<JsonValue> Run() {
    // Python's json.loads(bytes) reads a UTF-8 byte-order mark as utf-8-sig;
    // RFC 8259 lets parsers ignore it. So do we.
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    SkipWhitespace();
    JsonValue value;
    while (true) {
      // Parse one value at pos_, opening containers as needed.
      if (pos_ >= s_.size()) return Error("Expecting value");
      char c = s_[pos_];
      if (c == '{' || c == '[') {
        if (stack_.size() >= max_depth_) {
          return Error("Nesting deeper than " + std::to_string(max_depth_) + " levels");
        }
        ++pos_;
        SkipWhitespace();
        if (c == '[') {
          stack_.push_back(Frame{JsonValue(JsonArray{}), {}});
          if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            value = PopFrame();
          } else {
            continue;
          }
        } else {
          stack_.push_back(Frame{JsonValue(JsonObject{}), {}});
          if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            value = PopFrame();
          } else {
            if (auto st = ReadKey(); !st.ok()) return st;
            continue;
          }
        }
      } else if (c == '"') {
        std::string str;
        if (auto st = ReadString(str); !st.ok()) return st;
        value = JsonValue(std::move(str));
      } else {
        if (auto st = ReadScalar(value); !st.ok()) return st;
      }
      // A complete value: attach it to the open container(s).
      while (true) {
        if (stack_.empty()) {
          SkipWhitespace();
          if (pos_ != s_.size()) return Error("Extra data");
          return value;
        }
        Frame& top = stack_.back();
        SkipWhitespace();
        const bool is_array = top.container.IsArray();
        if (is_array) {
          std::get<JsonArray>(JsonValueAccess::Variant(top.container)).push_back(std::move(value));
        } else {
          std::get<JsonObject>(JsonValueAccess::Variant(top.container))
              .push_back(JsonMember{std::move(top.key), std::move(value)});
        }
        if (pos_ >= s_.size()) {
          return Error(is_array ? "Expecting ',' delimiter or ']'" : "Expecting ',' delimiter or '}'");
        }
        char d = s_[pos_];
        if (d == ',') {
          ++pos_;
          SkipWhitespace();
          if (!is_array) {
            if (auto st = ReadKey(); !st.ok()) return st;
          }
          break;  // parse the next element
        }
        if ((is_array && d == ']') || (!is_array && d == '}')) {
          ++pos_;
          value = PopFrame();
          continue;  // attach the closed container to its parent
        }
        return Error(is_array ? "Expecting ',' delimiter or ']'" : "Expecting ',' delimiter or '}'");
      }
    }
  }

 private:
  struct Frame {
    JsonValue container;
    std::string key;  // objects: the key of the value being parsed
  };


  JsonValue PopFrame() {
    JsonValue v = std::move(stack_.back().container);
    stack_.pop_back();
    return v;
  }

  common::Status Error(const std::string& what) const {
    return common::InvalidArgumentError(what + " at byte " + std::to_string(pos_));
  }

  void SkipWhitespace() noexcept {
    while (pos_ < s_.size() && IsJsonWhitespace(s_[pos_])) ++pos_;
  }

  // At a key's opening quote: reads `"key" :` and leaves pos_ at the value.
  common::Status ReadKey() {
    if (pos_ >= s_.size() || s_[pos_] != '"') {
      return Error("Expecting property name enclosed in double quotes");
    }
    AURA_RETURN_IF_ERROR(ReadString(stack_.back().key));
    SkipWhitespace();
    if (pos_ >= s_.size() || s_[pos_] != ':') return Error("Expecting ':' delimiter");
    ++pos_;
    SkipWhitespace();
    return common::OkStatus();
  }

  // Reads 4 hex digits at pos_ (after `\u`).
  common::Status ReadHex4(uint32_t& out) {
    if (pos_ + 4 > s_.size()) return Error("Invalid \\uXXXX escape");
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int h = HexValue(s_[pos_ + k]);
      if (h < 0) return Error("Invalid \\uXXXX escape");
      v = v * 16 + static_cast<uint32_t>(h);
    }
    pos_ += 4;
    out = v;
    return common::OkStatus();
  }

  // At the opening quote: reads a string into `out` (replacing its contents).
  common::Status ReadString(std::string& out) {
    out.clear();
    ++pos_;
    while (true) {
      size_t run = pos_;
      while (run < s_.size()) {
        auto b = static_cast<unsigned char>(s_[run]);
        if (b == '"' || b == '\\' || b < 0x20 || b >= 0x80) break;
        ++run;
      }
      out.append(s_.data() + pos_, run - pos_);
      pos_ = run;
      if (pos_ >= s_.size()) return Error("Unterminated string");
      auto b = static_cast<unsigned char>(s_[pos_]);
      if (b == '"') {
        ++pos_;
        return common::OkStatus();
      }
      if (b < 0x20) return Error("Invalid control character in string");
      if (b >= 0x80) {
        size_t len = Utf8SequenceLength(s_, pos_);
        if (len == 0) return Error("Invalid UTF-8");
        out.append(s_.data() + pos_, len);
        pos_ += len;
        continue;
      }
      // Backslash escape.
      ++pos_;
      if (pos_ >= s_.size()) return Error("Unterminated string");
      char e = s_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          AURA_RETURN_IF_ERROR(ReadHex4(cp));
          // As Python: a high surrogate immediately followed by a `\u` low
          // surrogate combines; anything else stays a lone surrogate.
          if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < s_.size() && s_[pos_] == '\\' &&
              s_[pos_ + 1] == 'u') {
            size_t saved = pos_;
            pos_ += 2;
            uint32_t low = 0;
            AURA_RETURN_IF_ERROR(ReadHex4(low));
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + (((cp - 0xD800) << 10) | (low - 0xDC00));
            } else {
              pos_ = saved;
            }
          }
          AppendCodePoint(out, cp);
          break;
        }
        default:
          --pos_;
          return Error("Invalid \\escape");
      }
    }
  }

  bool Consume(std::string_view word) noexcept {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  // true/false/null/NaN/Infinity/-Infinity or a number.
  common::Status ReadScalar(JsonValue& out) {
    if (Consume("true")) {
      out = JsonValue(true);
      return common::OkStatus();
    }
    if (Consume("false")) {
      out = JsonValue(false);
      return common::OkStatus();
    }
    if (Consume("null")) {
      out = JsonValue();
      return common::OkStatus();
    }
    if (Consume("NaN")) {
      out = JsonValue(JsonNumber{"NaN", false});
      return common::OkStatus();
    }
    if (Consume("Infinity")) {
      out = JsonValue(JsonNumber{"Infinity", false});
      return common::OkStatus();
    }
    if (Consume("-Infinity")) {
      out = JsonValue(JsonNumber{"-Infinity", false});
      return common::OkStatus();
    }
    const size_t start = pos_;
    auto is_digit = [&](size_t k) { return k < s_.size() && s_[k] >= '0' && s_[k] <= '9'; };
    size_t p = pos_;
    if (p < s_.size() && s_[p] == '-') ++p;
    if (!is_digit(p)) return Error("Expecting value");
    if (s_[p] == '0') {
      ++p;
    } else {
      while (is_digit(p)) ++p;
    }
    bool integer = true;
    // A fraction or exponent needs digits after it; otherwise, as Python, the
    // number ends before the '.' or 'e' (which then is trailing data).
    if (p < s_.size() && s_[p] == '.' && is_digit(p + 1)) {
      integer = false;
      p += 1;
      while (is_digit(p)) ++p;
    }
    if (p < s_.size() && (s_[p] == 'e' || s_[p] == 'E')) {
      size_t q = p + 1;
      if (q < s_.size() && (s_[q] == '+' || s_[q] == '-')) ++q;
      if (is_digit(q)) {
        integer = false;
        p = q;
        while (is_digit(p)) ++p;
      }
    }
    std::string_view text = s_.substr(start, p - start);
    if (integer) {
      size_t digits = text.size() - (text.front() == '-' ? 1 : 0);
      if (digits > kMaxJsonIntegerDigits) {
        return Error("Integer of more than " + std::to_string(kMaxJsonIntegerDigits) + " digits");
      }
    }
    pos_ = p;
    out = JsonValue(JsonNumber{std::string(text), integer});
    return common::OkStatus();
  }

  std::string_view s_;
  size_t pos_ = 0;
  size_t max_depth_;
  std::vector<Frame> stack_;
};

}  // namespace

common::Result<JsonValue> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return common::InvalidArgumentError("JSON text of " + std::to_string(text.size()) +
                                        " bytes is over the limit of " +
                                        std::to_string(limits.max_bytes));
  }
  Parser parser(text, limits);
  return parser.Run();
}

bool IsValidUtf8(std::string_view s) noexcept {
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace aura::gateway
