#include "core/pricing/rule_strategy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <set>

namespace aura::core {
namespace {

using storage::Outcome;

storage::Item HotelAlpha() {
  return {.id = "hotel_alpha", .name = "Hotel Alpha", .base_price = 1000, .floor_price = 800};
}

class RuleStrategyTest : public ::testing::Test {
 protected:
  common::Result<PricingDecision> Decide(double bid, const storage::Item* item) {
    return rules_.Decide({.request_id = "r", .item_id = "hotel_alpha", .bid_amount = bid, .item = item});
  }
  storage::Item item_ = HotelAlpha();
  RuleStrategy rules_{{.trigger_price = 1000.0,
                       .reservation_code_generator = [] { return std::string("MCP-TEST"); }}};
};

TEST_F(RuleStrategyTest, NameIsRule) { EXPECT_EQ(rules_.Name(), "rule"); }

TEST_F(RuleStrategyTest, InvalidBidsAreInvalidArgument) {
  for (double bid : {0.0, -0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    auto d = Decide(bid, &item_);
    ASSERT_FALSE(d.ok()) << bid;
    EXPECT_EQ(d.status().code(), common::StatusCode::kInvalidArgument);
  }
}

TEST_F(RuleStrategyTest, InvalidBidIsCheckedBeforeTheItem) {
  auto d = Decide(-5, nullptr);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), common::StatusCode::kInvalidArgument);
}

TEST_F(RuleStrategyTest, UnknownItemIsRejected) {
  auto d = Decide(850, nullptr);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kRejected);
  EXPECT_EQ(d->reason_code, "ITEM_NOT_FOUND");
  EXPECT_EQ(d->price, 0);
}

TEST_F(RuleStrategyTest, InactiveItemIsRejectedEvenAboveTrigger) {
  item_.active = false;
  auto d = Decide(5000, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kRejected);
  EXPECT_EQ(d->reason_code, "ITEM_NOT_FOUND");
}

TEST_F(RuleStrategyTest, AboveTriggerNeedsUi) {
  auto d = Decide(1200, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kUiRequired);
  EXPECT_EQ(d->ui_template, "high_value_confirm");
  EXPECT_EQ(d->ui_context.at("reason"), "Bid of $1200.0 exceeds security threshold");
  EXPECT_TRUE(d->reservation_code.empty());
}

TEST_F(RuleStrategyTest, UiReasonFormatsFractionalBidsLikePython) {
  auto d = Decide(1500.5, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ui_context.at("reason"), "Bid of $1500.5 exceeds security threshold");
}

TEST_F(RuleStrategyTest, ExactlyAtTriggerIsAccepted) {
  auto d = Decide(1000, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kAccepted);
  EXPECT_EQ(d->price, 1000);
}

TEST_F(RuleStrategyTest, JustAboveTriggerNeedsUi) {
  auto d = Decide(std::nextafter(1000.0, 2000.0), &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kUiRequired);
}

TEST_F(RuleStrategyTest, TriggerIsConfigurable) {
  RuleStrategy low({.trigger_price = 500});
  auto d = low.Decide({.item_id = "hotel_alpha", .bid_amount = 600, .item = &item_});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kUiRequired);
  EXPECT_EQ(d->ui_context.at("reason"), "Bid of $600.0 exceeds security threshold");
}

TEST_F(RuleStrategyTest, BelowFloorIsCounteredAtTheFloor) {
  auto d = Decide(1.0, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kCountered);
  EXPECT_EQ(d->price, 800);
  EXPECT_EQ(d->reason_code, "BELOW_FLOOR");
  EXPECT_EQ(d->message, "We cannot accept less than $800.0.");
}

TEST_F(RuleStrategyTest, CounterMessageFormatsFractionalFloor) {
  item_.floor_price = 799.99;
  auto d = Decide(700, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->message, "We cannot accept less than $799.99.");
}

TEST_F(RuleStrategyTest, JustBelowFloorIsCountered) {
  auto d = Decide(std::nextafter(800.0, 0.0), &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kCountered);
}

TEST_F(RuleStrategyTest, ExactlyAtFloorIsAccepted) {
  auto d = Decide(800, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kAccepted);
  EXPECT_EQ(d->price, 800);
  EXPECT_EQ(d->reservation_code, "MCP-TEST");
}

TEST_F(RuleStrategyTest, BetweenFloorAndTriggerIsAcceptedAtTheBid) {
  auto d = Decide(850, &item_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kAccepted);
  EXPECT_EQ(d->price, 850);
  EXPECT_TRUE(d->reason_code.empty());
}

TEST(RuleStrategy, DefaultReservationCodesAreUniqueUpperHex) {
  RuleStrategy rules;
  storage::Item item = HotelAlpha();
  std::set<std::string> codes;
  const std::regex shape("MCP-[0-9A-F]{16}");
  for (int i = 0; i < 1000; ++i) {
    auto d = rules.Decide({.item_id = "hotel_alpha", .bid_amount = 900, .item = &item});
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(std::regex_match(d->reservation_code, shape)) << d->reservation_code;
    codes.insert(d->reservation_code);
  }
  EXPECT_EQ(codes.size(), 1000u);
}

}  // namespace
}  // namespace aura::core
