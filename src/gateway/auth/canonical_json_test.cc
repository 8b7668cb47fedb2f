// Hand-written cases; python_vectors_test.cc checks hundreds more against Python.
#include "gateway/auth/canonical_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace aura::gateway {
namespace {

std::string Canon(std::string_view body) {
  auto r = CanonicalJson(body);
  EXPECT_TRUE(r.ok()) << body << ": " << r.status().ToString();
  return r.ok() ? *r : "<error>";
}

TEST(CanonicalJson, EmptyBodyIsEmptyString) { EXPECT_EQ(Canon(""), ""); }

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(Canon(R"( { "b" : 1 , "a" : { "d" : [ ] , "c" : { } } } )"), R"({"a":{"c":{},"d":[]},"b":1})");
}

TEST(CanonicalJson, NegotiateBody) {
  EXPECT_EQ(Canon(R"({"item_id": "hotel_alpha", "bid_amount": 850.0, "currency": "USD", "agent_did": "did:key:ab"})"),
            R"({"agent_did":"did:key:ab","bid_amount":850.0,"currency":"USD","item_id":"hotel_alpha"})");
}

TEST(CanonicalJson, DuplicateKeysLastWins) {
  EXPECT_EQ(Canon(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
}

TEST(CanonicalJson, SortsByCodePointNotUtf16) {
  // U+FFFF sorts before U+1F600 by code point; in UTF-16 the surrogate
  // 0xD83D would sort first.
  EXPECT_EQ(Canon("{\"\xF0\x9F\x98\x80\":1,\"\xEF\xBF\xBF\":2}"), R"({"\uffff":2,"\ud83d\ude00":1})");
}

TEST(CanonicalJson, EscapesLikePython) {
  EXPECT_EQ(Canon(R"("\u0000\u001f\b\f\n\r\t\"\\\/~")"), R"("\u0000\u001f\b\f\n\r\t\"\\/~")");
  EXPECT_EQ(Canon("\"\x7f\xC3\xA9\xE2\x80\xA8\""), R"("\u007f\u00e9\u2028")");
  EXPECT_EQ(Canon(R"("\uD83D\uDE00")"), R"("\ud83d\ude00")");
  EXPECT_EQ(Canon(R"("\ude00\ud83d")"), R"("\ude00\ud83d")");
}

TEST(CanonicalJson, IntegersExactlyAsWritten) {
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("123456789012345678901234567890"), "123456789012345678901234567890");
  EXPECT_EQ(Canon("[1e3, 1E5, 1.0e2]"), "[1000.0,100000.0,100.0]");
}

TEST(CanonicalJson, RejectsInvalidJson) {
  auto r = CanonicalJson("{");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kInvalidArgument);
}

TEST(PythonFloatRepr, MatchesPythonRepr) {
  struct Case {
    double value;
    const char* repr;
  };
  const Case cases[] = {
      {850.0, "850.0"},
      {0.1, "0.1"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {1e16, "1e+16"},
      {9999999999999998.0, "9999999999999998.0"},
      {1e-5, "1e-05"},
      {0.0001, "0.0001"},
      {1.5e300, "1.5e+300"},
      {123456789.123456789, "123456789.12345679"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {0.30000000000000004, "0.30000000000000004"},
      {1e22, "1e+22"},
      {123e-7, "1.23e-05"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
      {std::nan(""), "NaN"},
  };
  for (const Case& c : cases) EXPECT_EQ(PythonFloatRepr(c.value), c.repr) << c.repr;
}

}  // namespace
}  // namespace aura::gateway
