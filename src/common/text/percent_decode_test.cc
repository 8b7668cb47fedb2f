#include "common/text/percent_decode.h"

#include <gtest/gtest.h>

namespace aura::common {
namespace {

TEST(PercentDecode, DecodesEscapesInEitherCase) {
  EXPECT_EQ(PercentDecode("a%20b%2fc%2F"), "a b/c/");
  EXPECT_EQ(PercentDecode(""), "");
}

TEST(PercentDecode, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", {.plus_is_space = true}), "a b");
}

TEST(PercentDecode, RefusesBrokenEscapes) {
  EXPECT_EQ(PercentDecode("50%"), std::nullopt);
  EXPECT_EQ(PercentDecode("%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz"), std::nullopt);
}

}  // namespace
}  // namespace aura::common
