#include "common/log/log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

namespace aura::common {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitLogging({.level = LogLevel::kInfo, .logger = "test",
                 .sink = [this](std::string_view l) { lines_.emplace_back(l); }, .synchronous = true});
  }
  void TearDown() override { InitLogging({.synchronous = true}); }
  std::vector<std::string> lines_;
};

TEST_F(LogTest, WritesOneJsonObjectWithTypedFields) {
  {
    ScopedRequestId rid("req-1");
    AURA_LOG_INFO("negotiation.decided").With("outcome", "accepted").With("bid", 850.5).With("n", 3).With("ok", true);
  }
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_EQ(l.front(), '{');
  EXPECT_EQ(l.back(), '}');
  EXPECT_NE(l.find("\"event\":\"negotiation.decided\""), std::string::npos);
  EXPECT_NE(l.find("\"level\":\"info\""), std::string::npos);
  EXPECT_NE(l.find("\"logger\":\"test\""), std::string::npos);
  EXPECT_NE(l.find("\"request_id\":\"req-1\""), std::string::npos);
  EXPECT_NE(l.find("\"bid\":850.5"), std::string::npos);
  EXPECT_NE(l.find("\"n\":3"), std::string::npos);
  EXPECT_NE(l.find("\"ok\":true"), std::string::npos);
  EXPECT_NE(l.find("Z\""), std::string::npos);
}

TEST_F(LogTest, LevelFiltersAndEscapes) {
  AURA_LOG_DEBUG("hidden");
  AURA_LOG_WARNING("shown").With("text", "a\"b\n");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find(R"("text":"a\"b\n")"), std::string::npos);
  EXPECT_EQ(lines_[0].find("request_id"), std::string::npos);
}

}  // namespace
}  // namespace aura::common
