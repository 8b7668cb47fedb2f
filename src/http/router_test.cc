#include "http/router.h"

#include <gtest/gtest.h>

namespace aura::http {
namespace {

TEST(Router, MatchesTemplatesAndPrefersLiteralSegments) {
  Router router;
  auto noop = [](HttpRequest&, HttpResponder) {};
  router.Add("POST", "/v1/deals/{deal_id}/status", noop);
  router.Add("GET", "/v1/deals/special/status", noop);
  router.Add("GET", "/healthz", noop);
  EXPECT_EQ(router.MatchTemplate("/v1/deals/abc/status"), "/v1/deals/{deal_id}/status");
  EXPECT_EQ(router.MatchTemplate("/v1/deals/special/status"), "/v1/deals/special/status");
  EXPECT_EQ(router.MatchTemplate("/healthz"), "/healthz");
  EXPECT_EQ(router.MatchTemplate("/healthz/"), "");
  EXPECT_EQ(router.MatchTemplate("/v1/deals//status"), "");
  EXPECT_EQ(router.MatchTemplate("/nope"), "");
}

TEST(Router, ListsAllowedMethodsOfAPath) {
  Router router;
  auto noop = [](HttpRequest&, HttpResponder) {};
  router.Add("GET", "/x", noop);
  router.Add("POST", "/x", noop);
  EXPECT_EQ(router.AllowedMethods("/x"), "GET, POST");
  EXPECT_EQ(router.AllowedMethods("/y"), "");
}

TEST(Router, SplitsPaths) {
  EXPECT_EQ(SplitPath("/").size(), 0u);
  auto parts = SplitPath("/a/b/c");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2], "c");
}

}  // namespace
}  // namespace aura::http
