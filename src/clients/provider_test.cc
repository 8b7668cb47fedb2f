#include "clients/provider.h"

#include <gtest/gtest.h>

namespace aura::clients {
namespace {

common::LlmConfig Keys() {
  common::LlmConfig llm;
  llm.api_key = "mistral-secret-key";
  llm.openai_api_key = "openai-secret-key";
  return llm;
}

TEST(ResolveProvider, MistralPrefixUsesMistralUrlAndKey) {
  auto ep = ResolveProvider(Keys(), "mistral/mistral-small-latest");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->provider, Provider::kMistral);
  EXPECT_EQ(ep->base_url, kMistralBaseUrl);
  EXPECT_EQ(ep->model, "mistral-small-latest");
  EXPECT_EQ(ep->api_key, "mistral-secret-key");
}

TEST(ResolveProvider, OpenAiPrefixUsesOpenAiUrlAndKey) {
  auto ep = ResolveProvider(Keys(), "openai/gpt-4o-mini");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->provider, Provider::kOpenAi);
  EXPECT_EQ(ep->base_url, kOpenAiBaseUrl);
  EXPECT_EQ(ep->model, "gpt-4o-mini");
  EXPECT_EQ(ep->api_key, "openai-secret-key");
}

TEST(ResolveProvider, OllamaPrefixUsesLocalhostWithoutKey) {
  auto ep = ResolveProvider(Keys(), "ollama/llama3.1:8b");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->provider, Provider::kOllama);
  EXPECT_EQ(ep->base_url, "http://localhost:11434/v1");
  EXPECT_EQ(ep->model, "llama3.1:8b");
  EXPECT_EQ(ep->api_key, "");
}

TEST(ResolveProvider, BaseUrlOverridesTheProviderDefault) {
  common::LlmConfig llm = Keys();
  llm.base_url = "http://127.0.0.1:9999/v1/";
  auto ep = ResolveProvider(llm, "mistral/mistral-large-latest");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->base_url, "http://127.0.0.1:9999/v1");
  EXPECT_EQ(ep->api_key, "mistral-secret-key");
}

TEST(ResolveProvider, MissingKeyNamesTheVariableNotAValue) {
  common::LlmConfig llm;
  llm.openai_api_key = "openai-secret-key";
  auto ep = ResolveProvider(llm, "mistral/mistral-small-latest");
  ASSERT_FALSE(ep.ok());
  EXPECT_EQ(ep.status().code(), common::StatusCode::kFailedPrecondition);
  EXPECT_NE(ep.status().message().find("MISTRAL_API_KEY"), std::string::npos);
  EXPECT_EQ(ep.status().message().find("openai-secret-key"), std::string::npos);
}

TEST(ResolveProvider, OverriddenUrlNeedsNoKey) {
  common::LlmConfig llm;
  llm.base_url = "http://127.0.0.1:9999/v1";
  EXPECT_TRUE(ResolveProvider(llm, "openai/gpt-4o-mini").ok());
}

TEST(ResolveProvider, RejectsUnknownPrefixAndEmptyModel) {
  EXPECT_EQ(ResolveProvider(Keys(), "anthropic/claude").status().code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveProvider(Keys(), "rule").status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveProvider(Keys(), "mistral/").status().code(),
            common::StatusCode::kInvalidArgument);
}

TEST(ProviderName, NamesEachProvider) {
  EXPECT_EQ(ProviderName(Provider::kMistral), "mistral");
  EXPECT_EQ(ProviderName(Provider::kOpenAi), "openai");
  EXPECT_EQ(ProviderName(Provider::kOllama), "ollama");
}

}  // namespace
}  // namespace aura::clients
