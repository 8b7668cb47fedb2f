#include "core/pricing/python_float.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace aura::core {
namespace {

TEST(FormatPythonFloat, IntegralValuesKeepPointZero) {
  EXPECT_EQ(FormatPythonFloat(1200.0), "1200.0");
  EXPECT_EQ(FormatPythonFloat(800.0), "800.0");
  EXPECT_EQ(FormatPythonFloat(1.0), "1.0");
  EXPECT_EQ(FormatPythonFloat(0.0), "0.0");
  EXPECT_EQ(FormatPythonFloat(-0.0), "-0.0");
}

TEST(FormatPythonFloat, ShortestRoundTripDigits) {
  EXPECT_EQ(FormatPythonFloat(1500.5), "1500.5");
  EXPECT_EQ(FormatPythonFloat(0.1), "0.1");
  EXPECT_EQ(FormatPythonFloat(1000.01), "1000.01");
  EXPECT_EQ(FormatPythonFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatPythonFloat(-12.75), "-12.75");
}

TEST(FormatPythonFloat, ExponentFormOutsidePythonsFixedRange) {
  EXPECT_EQ(FormatPythonFloat(1e16), "1e+16");
  EXPECT_EQ(FormatPythonFloat(1.5e16), "1.5e+16");
  EXPECT_EQ(FormatPythonFloat(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(FormatPythonFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatPythonFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatPythonFloat(1.25e-7), "1.25e-07");
  EXPECT_EQ(FormatPythonFloat(1e300), "1e+300");
  EXPECT_EQ(FormatPythonFloat(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
}

TEST(FormatPythonFloat, NonFiniteValues) {
  EXPECT_EQ(FormatPythonFloat(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatPythonFloat(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatPythonFloat(std::nan("")), "nan");
}

}  // namespace
}  // namespace aura::core
