// File: clients/provider.h
//
// Provider selection for OpenAI-compatible APIs. The model name's prefix picks
// the provider, its default base URL and which configured key to send:
//   mistral/<m> → the Mistral API, key config.llm.api_key
//                 (AURA_LLM__API_KEY or MISTRAL_API_KEY);
//   openai/<m>  → the OpenAI API, key config.llm.openai_api_key
//                 (AURA_LLM__OPENAI_API_KEY);
//   ollama/<m>  → http://localhost:11434/v1, no key.
// config.llm.base_url (AURA_LLM__BASE_URL) replaces the default base URL of
// whichever provider was picked; the key choice stays the same.
//
//   AURA_ASSIGN_OR_RETURN(ProviderEndpoint ep, ResolveProvider(config.llm, config.llm.model));
//   // ep.base_url == "https://api.mistral.ai/v1", ep.model == "mistral-small-latest"
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/status.h"

namespace aura::clients {

enum class Provider { kMistral, kOpenAi, kOllama };

inline constexpr std::string_view kMistralBaseUrl = "https://api.mistral.ai/v1";
inline constexpr std::string_view kOpenAiBaseUrl = "https://api.openai.com/v1";
inline constexpr std::string_view kOllamaBaseUrl = "http://localhost:11434/v1";

struct ProviderEndpoint {
  Provider provider = Provider::kMistral;
  // Without a trailing slash; paths such as "/chat/completions" are appended.
  std::string base_url;
  // The model as the provider knows it (the prefix removed).
  std::string model;
  // Sent as "Authorization: Bearer <key>" when non-empty. Never log it.
  std::string api_key;

  friend bool operator==(const ProviderEndpoint&, const ProviderEndpoint&) = default;
};

// "mistral", "openai", "ollama".
std::string_view ProviderName(Provider provider) noexcept;

// Resolves `model_name` ("mistral/mistral-small-latest", ...). Errors:
//   INVALID_ARGUMENT    — no known prefix or an empty model after it;
//   FAILED_PRECONDITION — the provider needs a key and none is configured
//                         (only when base_url does not override the URL; a
//                         custom endpoint may need no key). The message names
//                         the variable to set, never a key value.
common::Result<ProviderEndpoint> ResolveProvider(const common::LlmConfig& llm,
                                                 std::string_view model_name);

}  // namespace aura::clients
