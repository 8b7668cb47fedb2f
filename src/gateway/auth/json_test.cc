#include "gateway/auth/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "gateway/auth/canonical_json.h"

namespace aura::gateway {
namespace {

using common::StatusCode;

TEST(ParseJson, ParsesAllTypesKeepingNumberText) {
  auto v = ParseJson(R"({"a": [1, -2.50, 1E5, true, false, null, "x"], "b": {}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->IsObject());
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->AsArray().size(), 7u);
  EXPECT_TRUE(a->AsArray()[0].IsInteger());
  EXPECT_EQ(a->AsArray()[1].AsNumber().text, "-2.50");
  EXPECT_FALSE(a->AsArray()[1].IsInteger());
  EXPECT_EQ(a->AsArray()[2].AsNumber().text, "1E5");
  EXPECT_FALSE(a->AsArray()[2].IsInteger());
  EXPECT_DOUBLE_EQ(a->AsArray()[2].AsDouble(), 100000.0);
  EXPECT_TRUE(a->AsArray()[3].AsBool());
  EXPECT_FALSE(a->AsArray()[4].AsBool());
  EXPECT_TRUE(a->AsArray()[5].IsNull());
  EXPECT_EQ(a->AsArray()[6].AsString(), "x");
  EXPECT_TRUE(v->Find("b")->IsObject());
  EXPECT_EQ(v->Find("c"), nullptr);
  EXPECT_EQ(a->Find("a"), nullptr);  // not an object
}

TEST(ParseJson, FindReturnsLastDuplicate) {
  auto v = ParseJson(R"({"bid": 1, "x": 0, "bid": 2})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("bid")->AsNumber().text, "2");
  EXPECT_EQ(v->AsObject().size(), 3u);  // input order kept
}

TEST(ParseJson, AcceptsPythonLiterals) {
  auto v = ParseJson("[NaN, Infinity, -Infinity]");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(std::isnan(v->AsArray()[0].AsDouble()));
  EXPECT_EQ(v->AsArray()[1].AsDouble(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(v->AsArray()[2].AsDouble(), -std::numeric_limits<double>::infinity());
}

TEST(ParseJson, DecodesEscapesAndSurrogatePairs) {
  auto v = ParseJson(R"("a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00")");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->AsString(), "a\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_FALSE(v->HasLoneSurrogate());
}

TEST(ParseJson, KeepsLoneSurrogatesAsPythonDoes) {
  auto v = ParseJson(R"("x\ud800y")");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->AsString(), "x\xED\xA0\x80y");
  EXPECT_TRUE(v->HasLoneSurrogate());
  EXPECT_FALSE(IsValidUtf8(v->AsString()));
  EXPECT_EQ(CanonicalJson(*v), R"("x\ud800y")");
}

TEST(ParseJson, ErrorsNameTheByteOffset) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "Expecting value at byte 0"},
      {"   ", "Expecting value at byte 3"},
      {"[1,]", "Expecting value at byte 3"},
      {R"({"a": 1} x)", "Extra data at byte 9"},
      {"01", "Extra data at byte 1"},
      {"\"a\tb\"", "Invalid control character in string at byte 2"},
      {"\"abc", "Unterminated string at byte 4"},
      {R"("\x")", "Invalid \\escape at byte 2"},
      {R"("\u12G4")", "Invalid \\uXXXX escape at byte 3"},
      {"\"\xFF\"", "Invalid UTF-8 at byte 1"},
      {R"({"a" 1})", "Expecting ':' delimiter at byte 5"},
      {"{1: 2}", "Expecting property name enclosed in double quotes at byte 1"},
      {"[1 2]", "Expecting ',' delimiter or ']' at byte 3"},
      {"nan", "Expecting value at byte 0"},
      {"-", "Expecting value at byte 0"},
  };
  for (const Case& c : cases) {
    auto v = ParseJson(c.text);
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(v.status().message(), c.message) << c.text;
  }
}

TEST(ParseJson, RejectsInvalidUtf8) {
  const std::string bad[] = {
      "\"\xC0\xAF\"",          // overlong '/'
      "\"\xE0\x80\xAF\"",      // overlong 3-byte
      "\"\xED\xA0\x80\"",      // UTF-8-encoded surrogate
      "\"\xF4\x90\x80\x80\"",  // above U+10FFFF
      "\"\xE2\x82\"",          // truncated
      "\"\x80\"",              // lone continuation byte
      "\"\xF8\x88\x80\x80\x80\"",
  };
  for (const std::string& text : bad) {
    auto v = ParseJson(text);
    EXPECT_FALSE(v.ok());
    EXPECT_FALSE(IsValidUtf8(text.substr(1, text.size() - 2)));
  }
  EXPECT_TRUE(ParseJson("\"\xF4\x8F\xBF\xBF \xEF\xBF\xBF \xED\x9F\xBF\"").ok());
}

TEST(ParseJson, EnforcesDepthLimit) {
  auto nested = [](int depth, char open, char close) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += open == '{' ? "{\"k\":" : "[";
    s += "1";
    for (int i = 0; i < depth; ++i) s += close;
    return s;
  };
  EXPECT_TRUE(ParseJson(nested(64, '[', ']')).ok());
  EXPECT_TRUE(ParseJson(nested(64, '{', '}')).ok());
  auto too_deep = ParseJson(nested(65, '[', ']'));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().message(), "Nesting deeper than 64 levels at byte 64");
  EXPECT_TRUE(ParseJson(nested(100, '[', ']'), {.max_depth = 100}).ok());
  EXPECT_FALSE(ParseJson(nested(3, '[', ']'), {.max_depth = 2}).ok());
}

TEST(ParseJson, TenThousandLevelsFailWithoutCrashing) {
  for (char open : {'[', '{'}) {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += open == '[' ? "[" : "{\"a\":";
    auto v = ParseJson(s);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    // Even with the limit raised as far as it goes, the parser itself never recurses.
    auto deep = ParseJson(s, {.max_depth = 1'000'000, .max_bytes = 1 << 20});
    EXPECT_FALSE(deep.ok());
  }
}

TEST(ParseJson, IntegersOverPythonsDigitLimitAreErrors) {
  std::string ok(4300, '7');
  EXPECT_TRUE(ParseJson(ok).ok());
  EXPECT_TRUE(ParseJson("-" + ok).ok());
  auto v = ParseJson(std::string(10000, '9'));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "Integer of more than 4300 digits at byte 0");
  // Floats of any length are fine (Python's float() has no such limit).
  auto f = ParseJson(std::string(10000, '9') + ".5");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(CanonicalJson(*f), "Infinity");
  auto g = ParseJson("0." + std::string(10000, '3'));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(CanonicalJson(*g), "0.3333333333333333");
}

TEST(ParseJson, EnforcesMaxBytes) {
  auto v = ParseJson("[1, 2, 3]", {.max_bytes = 4});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseJson, SkipsUtf8ByteOrderMark) {
  auto v = ParseJson("\xEF\xBB\xBF{\"a\":1}");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(CanonicalJson(*v), "{\"a\":1}");
}

TEST(JsonValue, AsInt64ChecksRange) {
  auto n = [](const char* text) { return ParseJson(text).value(); };
  EXPECT_EQ(n("42").AsInt64().value(), 42);
  EXPECT_EQ(n("-9223372036854775808").AsInt64().value(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(n("9223372036854775807").AsInt64().value(), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(n("9223372036854775808").AsInt64().ok());
  EXPECT_EQ(n("3.0").AsInt64().value(), 3);
  EXPECT_EQ(n("1e3").AsInt64().value(), 1000);
  EXPECT_FALSE(n("3.5").AsInt64().ok());
  EXPECT_FALSE(n("1e19").AsInt64().ok());
  EXPECT_FALSE(n("NaN").AsInt64().ok());
  EXPECT_FALSE(n("\"3\"").AsInt64().ok());
}

TEST(JsonValue, AsDoubleOverflowsToInfinityAndUnderflowsToZero) {
  auto d = [](const char* text) { return ParseJson(text).value().AsDouble(); };
  EXPECT_EQ(d("1e400"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(d("-1e400"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(d("1e-400"), 0.0);
  EXPECT_TRUE(std::signbit(d("-1e-400")));
  EXPECT_EQ(d("0.000e999"), 0.0);
  EXPECT_EQ(d("850"), 850.0);
}

// Random bytes and mutations of valid documents must give a value or an
// error, never a crash (run under AURA_SANITIZE=address,undefined too).
TEST(ParseJson, SurvivesRandomInput) {
  std::mt19937_64 rng(12345);
  const std::string seeds[] = {
      R"({"item_id":"hotel","bid_amount":850.0,"currency":"USD","x":[1,2,{"y":null}]})",
      R"(["\ud83d\ude00","\u00e9",1e-5,-0,true,false,NaN,"\"\\"])",
      "{\"\xF0\x9F\x98\x80\":[[[[]]]]}",
  };
  const char alphabet[] = "{}[]\":,\\u0123456789abcdefeE.-+ \t\ntrufalsnNIy\x80\xBF\xC3\xED\xF0";
  int parsed = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    std::string text;
    if (iter % 3 == 0) {
      size_t len = rng() % 64;
      for (size_t i = 0; i < len; ++i) text.push_back(static_cast<char>(rng() & 0xFF));
    } else {
      text = seeds[rng() % 3];
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !text.empty(); ++e) {
        size_t pos = rng() % text.size();
        char c = alphabet[rng() % (sizeof(alphabet) - 1)];
        switch (rng() % 3) {
          case 0: text[pos] = c; break;
          case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(pos), c); break;
          default: text.erase(pos, 1); break;
        }
      }
    }
    auto v = ParseJson(text);
    if (v.ok()) {
      ++parsed;
      // Whatever parses canonicalises, and the canonical form parses back to itself.
      std::string canonical = CanonicalJson(*v);
      auto again = CanonicalJson(canonical);
      ASSERT_TRUE(again.ok()) << canonical;
      EXPECT_EQ(*again, canonical);
    } else {
      EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace aura::gateway
