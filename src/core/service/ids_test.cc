#include "core/service/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace aura::core {
namespace {

TEST(NewRequestId, IsAVersion4Uuid) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    EXPECT_TRUE(IsUuid(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IsUuid, AcceptsTheFormsPythonAccepts) {
  EXPECT_TRUE(IsUuid("3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a12"));
  EXPECT_TRUE(IsUuid("3F2B8C1E9A4D4C2E8F1A0B6D5E7C9A12"));
  EXPECT_TRUE(IsUuid("{3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a12}"));
  EXPECT_TRUE(IsUuid("urn:uuid:3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a12"));
}

TEST(IsUuid, RejectsMalformedIds) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a1"));     // 31 digits
  EXPECT_FALSE(IsUuid("3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a123"));   // 33 digits
  EXPECT_FALSE(IsUuid("3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9g12"));    // g
  EXPECT_FALSE(IsUuid("{}"));
}

}  // namespace
}  // namespace aura::core
