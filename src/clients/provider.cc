#include "clients/provider.h"

namespace aura::clients {

std::string_view ProviderName(Provider provider) noexcept {
  switch (provider) {
    case Provider::kMistral:
      return "mistral";
    case Provider::kOpenAi:
      return "openai";
    case Provider::kOllama:
      return "ollama";
  }
  return "unknown";
}

common::Result<ProviderEndpoint> ResolveProvider(const common::LlmConfig& llm,
                                                 std::string_view model_name) {
  ProviderEndpoint ep;
  std::string_view key_variable;
  if (model_name.starts_with("mistral/")) {
    ep.provider = Provider::kMistral;
    ep.base_url = kMistralBaseUrl;
    ep.api_key = llm.api_key;
    key_variable = "AURA_LLM__API_KEY (MISTRAL_API_KEY)";
  } else if (model_name.starts_with("openai/")) {
    ep.provider = Provider::kOpenAi;
    ep.base_url = kOpenAiBaseUrl;
    ep.api_key = llm.openai_api_key;
    key_variable = "AURA_LLM__OPENAI_API_KEY";
  } else if (model_name.starts_with("ollama/")) {
    ep.provider = Provider::kOllama;
    ep.base_url = kOllamaBaseUrl;
  } else {
    return common::InvalidArgumentError(
        "model '" + std::string(model_name) +
        "' has no known provider prefix (mistral/, openai/ or ollama/)");
  }
  ep.model = std::string(model_name.substr(model_name.find('/') + 1));
  if (ep.model.empty()) {
    return common::InvalidArgumentError("model '" + std::string(model_name) +
                                        "' names no model after the provider prefix");
  }
  if (!llm.base_url.empty()) {
    ep.base_url = llm.base_url;
  } else if (!key_variable.empty() && ep.api_key.empty()) {
    return common::FailedPreconditionError("model '" + std::string(model_name) + "' needs " +
                                           std::string(key_variable) + " to be set");
  }
  while (!ep.base_url.empty() && ep.base_url.back() == '/') ep.base_url.pop_back();
  return ep;
}

}  // namespace aura::clients
