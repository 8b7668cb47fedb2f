#include "gateway/routes/request_schema.h"

#include <gtest/gtest.h>

namespace aura::gateway {
namespace {

JsonValue Parse(std::string_view text) { return ParseJson(text).value(); }

std::string FirstType(const std::vector<FieldError>& errors) {
  return errors.empty() ? "" : errors.front().type;
}

TEST(ValidateNegotiateBody, AcceptsAValidBodyAndIgnoresUnknownFields) {
  auto body = Parse(R"({"item_id":"hotel_alpha","bid_amount":850,"agent_did":"did:key:x","extra":1})");
  auto v = ValidateNegotiateBody(&body);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value.item_id, "hotel_alpha");
  EXPECT_EQ(v.value.bid_amount, 850.0);
  EXPECT_EQ(v.value.currency, "USD");
}

TEST(ValidateNegotiateBody, ReportsMissingFieldsWithTheirLocation) {
  auto body = Parse(R"({"item_id":"x"})");
  auto v = ValidateNegotiateBody(&body);
  ASSERT_EQ(v.errors.size(), 2u);
  EXPECT_EQ(v.errors[0].loc, (std::vector<std::string>{"body", "bid_amount"}));
  EXPECT_EQ(v.errors[0].type, "missing");
  EXPECT_EQ(v.errors[1].loc, (std::vector<std::string>{"body", "agent_did"}));
}

TEST(ValidateNegotiateBody, RefusesNonPositiveNonFiniteAndNonNumericBids) {
  for (auto [bid, type] : std::vector<std::pair<std::string, std::string>>{
           {"0", "greater_than"},
           {"-5", "greater_than"},
           {"NaN", "finite_number"},
           {"Infinity", "finite_number"},
           {"1e400", "finite_number"},
           {"\"850\"", "float_type"},
           {"true", "float_type"},
           {"null", "float_type"}}) {
    auto body = Parse(R"({"item_id":"x","agent_did":"d","bid_amount":)" + bid + "}");
    auto v = ValidateNegotiateBody(&body);
    EXPECT_EQ(FirstType(v.errors), type) << bid;
  }
}

TEST(ValidateNegotiateBody, RefusesEmptyAndNonObjectBodies) {
  EXPECT_EQ(FirstType(ValidateNegotiateBody(nullptr).errors), "missing");
  auto arr = Parse("[1]");
  EXPECT_EQ(FirstType(ValidateNegotiateBody(&arr).errors), "model_attributes_type");
}

TEST(ValidateSearchBody, AppliesDefaultsAndLimits) {
  auto body = Parse(R"({"query":"sea view"})");
  auto v = ValidateSearchBody(&body);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value.limit, 3);
  EXPECT_EQ(v.value.min_similarity, 0.0);
  for (auto [limit, type] : std::vector<std::pair<std::string, std::string>>{
           {"0", "greater_than_equal"},
           {"51", "less_than_equal"},
           {"10000", "less_than_equal"},
           {"2.5", "int_from_float"},
           {"\"3\"", "int_type"}}) {
    auto b = Parse(R"({"query":"q","limit":)" + limit + "}");
    EXPECT_EQ(FirstType(ValidateSearchBody(&b).errors), type) << limit;
  }
  auto three = Parse(R"({"query":"q","limit":3.0})");
  EXPECT_EQ(ValidateSearchBody(&three).value.limit, 3);
}

TEST(ValidateSearchBody, RefusesTooLongQueriesAndLoneSurrogates) {
  auto longq = Parse("{\"query\":\"" + std::string(kMaxQueryChars + 1, 'a') + "\"}");
  EXPECT_EQ(FirstType(ValidateSearchBody(&longq).errors), "string_too_long");
  auto sur = Parse(R"({"query":"\ud800"})");
  EXPECT_EQ(FirstType(ValidateSearchBody(&sur).errors), "string_unicode");
}

TEST(IsUuid, AcceptsThePythonFormsAndRefusesOthers) {
  EXPECT_TRUE(IsUuid("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(IsUuid("123E4567E89B12D3A456426614174000"));
  EXPECT_TRUE(IsUuid("{123e4567-e89b-12d3-a456-426614174000}"));
  EXPECT_TRUE(IsUuid("urn:uuid:123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(IsUuid(""));
}

}  // namespace
}  // namespace aura::gateway
