#include "common/config/config.h"

#include <gtest/gtest.h>

namespace aura::common {
namespace {

Config Load(std::map<std::string, std::string> m) { return LoadConfig(Environment::FromMap(std::move(m))); }

std::string ErrorOf(std::map<std::string, std::string> m) {
  try {
    Load(std::move(m));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsNeedNothing) {
  Config c = Load({});
  EXPECT_EQ(c.core.grpc_port, 50051);
  EXPECT_EQ(c.gateway.http_port, 8000);
  EXPECT_EQ(c.core.metrics_port, 9091);
  EXPECT_EQ(c.llm.model, "rule");
  EXPECT_EQ(c.gateway.core_address, "localhost:50051");
  EXPECT_EQ(c.gateway.rate_limit_per_minute, 100);
  EXPECT_TRUE(c.database.url.empty());
}

TEST(Config, AliasesAndPrecedence) {
  Config c = Load({{"GRPC_PORT", "6000"}, {"DATABASE_URL", "postgresql://u@h/db"},
                   {"REDIS_URL", "redis://127.0.0.1:6379/0"}, {"CORE_SERVICE_HOST", "core"}});
  EXPECT_EQ(c.core.grpc_port, 6000);
  EXPECT_EQ(c.database.url, "postgresql://u@h/db");
  EXPECT_EQ(c.gateway.core_address, "core:50051");
  c = Load({{"GRPC_PORT", "6000"}, {"AURA_SERVER__PORT", "7000"}});
  EXPECT_EQ(c.core.grpc_port, 7000);
}

TEST(Config, EmptyValueCountsAsUnset) {
  EXPECT_EQ(Load({{"GRPC_PORT", ""}}).core.grpc_port, 50051);
}

TEST(Config, InvalidValuesNameTheVariable) {
  EXPECT_NE(ErrorOf({{"GRPC_PORT", "abc"}}).find("GRPC_PORT"), std::string::npos);
  EXPECT_NE(ErrorOf({{"AURA_SERVER__PORT", "70000"}}).find("AURA_SERVER__PORT"), std::string::npos);
  EXPECT_NE(ErrorOf({{"AURA_DATABASE__URL", "mysql://x"}}).find("AURA_DATABASE__URL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"LLM_MODEL", "acme/gpt"}}).find("LLM_MODEL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"AURA_LOG_LEVEL", "loud"}}).find("AURA_LOG_LEVEL"), std::string::npos);
  EXPECT_NE(ErrorOf({{"REDIS_URL", "localhost"}}).find("REDIS_URL"), std::string::npos);
}

TEST(Config, AcceptsKnownModelPrefixes) {
  EXPECT_EQ(Load({{"LLM_MODEL", "mistral/mistral-small-latest"}}).llm.model, "mistral/mistral-small-latest");
  EXPECT_EQ(Load({{"AURA_LLM__MODEL", "ollama/llama3"}}).llm.model, "ollama/llama3");
}

TEST(Config, CorsOriginsSplitOnCommas) {
  Config c = Load({{"CORS_ORIGINS", "http://a.test, http://b.test,"}});
  ASSERT_EQ(c.gateway.cors_origins.size(), 2u);
  EXPECT_EQ(c.gateway.cors_origins[1], "http://b.test");
}

TEST(Environment, DotenvParsing) {
  auto m = Environment::ParseDotenv("# comment\nexport A=1\nB = \"two words\"\nC=x # tail\n\n");
  EXPECT_EQ(m["A"], "1");
  EXPECT_EQ(m["B"], "two words");
  EXPECT_EQ(m["C"], "x");
  EXPECT_THROW(Environment::ParseDotenv("NOEQUALS\n"), ConfigError);
}

}  // namespace
}  // namespace aura::common
