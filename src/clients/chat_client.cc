#include "clients/chat_client.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <utility>

namespace aura::clients {
namespace {

HttpClientOptions WithBreaker(HttpClientOptions http, CircuitBreaker* breaker) {
  http.breaker = breaker;
  return http;
}

}  // namespace

std::string ModelLabel(const ApiClientOptions& options) {
  if (!options.metrics_model.empty()) return options.metrics_model;
  return std::string(ProviderName(options.endpoint.provider)) + "/" + options.endpoint.model;
}

// "host:port" of a base URL, for the server.address attribute.
std::string ServerAddress(std::string_view url) {
  auto scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  auto end = url.find_first_of("/?#", start);
  std::string_view host = url.substr(start, end == std::string_view::npos ? url.npos : end - start);
  if (auto at = host.find('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  return std::string(host);
}

common::Status StatusFromHttp(int status, std::string_view what) {
  std::string message = std::string(what) + " answered HTTP " + std::to_string(status);
  if (status == 401) return common::UnauthenticatedError(message + " (check the API key)");
  if (status == 403) return {common::StatusCode::kPermissionDenied, message};
  if (status == 404) return common::NotFoundError(message + " (unknown model or URL)");
  if (status == 429) return common::ResourceExhaustedError(message);
  if (status >= 500) return common::UnavailableError(message);
  return common::InvalidArgumentError(message);
}

ChatClient::ChatClient(ApiClientOptions options)
    : options_(std::move(options)),
      breaker_(options_.breaker),
      http_(WithBreaker(options_.http, &breaker_)),
      model_label_(ModelLabel(options_)) {
  if (options_.metrics != nullptr) metrics_ = &options_.metrics->For(model_label_, "chat");
}

common::Result<ChatResponse> ChatClient::Complete(const ChatRequest& request, Deadline deadline) {
  auto span = tracer_.StartScopedSpan("chat " + options_.endpoint.model,
                                      {.kind = telemetry::SpanKind::kClient});
  span.SetAttribute("gen_ai.operation.name", "chat")
      .SetAttribute("gen_ai.system", ProviderName(options_.endpoint.provider))
      .SetAttribute("gen_ai.request.model", options_.endpoint.model)
      .SetAttribute("gen_ai.request.temperature", request.temperature)
      .SetAttribute("server.address", ServerAddress(options_.endpoint.base_url));
  const auto start = std::chrono::steady_clock::now();
  common::Result<ChatResponse> result = CompleteOnce(request, deadline);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result.ok()) {
    span.SetAttribute("gen_ai.usage.input_tokens", result->usage.prompt_tokens)
        .SetAttribute("gen_ai.usage.output_tokens", result->usage.completion_tokens)
        .SetAttribute("gen_ai.response.finish_reasons", std::vector<std::string>{result->finish_reason})
        .SetAttribute("aura.http.attempts", result->attempts);
  } else {
    span.SetAttribute("error.type", common::StatusCodeName(result.status().code()))
        .SetStatus(telemetry::StatusCode::kError, result.status().message());
  }
  if (metrics_ != nullptr) {
    (result.ok() ? metrics_->ok : metrics_->error)->Increment();
    metrics_->duration->Observe(seconds);
    if (result.ok()) {
      metrics_->input_tokens->Increment(static_cast<double>(std::max<int64_t>(0, result->usage.prompt_tokens)));
      metrics_->output_tokens->Increment(
          static_cast<double>(std::max<int64_t>(0, result->usage.completion_tokens)));
    }
  }
  return result;
}

common::Result<ChatResponse> ChatClient::CompleteOnce(const ChatRequest& request,
                                                      Deadline deadline) {
  nlohmann::json body;
  body["model"] = options_.endpoint.model;
  body["temperature"] = request.temperature;
  nlohmann::json messages = nlohmann::json::array();
  for (const ChatMessage& m : request.messages) {
    messages.push_back({{"role", m.role}, {"content", m.content}});
  }
  body["messages"] = std::move(messages);
  if (request.json_object) body["response_format"] = {{"type", "json_object"}};
  if (request.max_tokens > 0) body["max_tokens"] = request.max_tokens;

  HttpRequest http_request;
  http_request.method = "POST";
  http_request.url = options_.endpoint.base_url + "/chat/completions";
  http_request.headers.emplace_back("Content-Type", "application/json");
  http_request.headers.emplace_back("Accept", "application/json");
  if (!options_.endpoint.api_key.empty()) {
    http_request.headers.emplace_back("Authorization", "Bearer " + options_.endpoint.api_key);
  }
  // Replacement characters instead of an exception for invalid UTF-8.
  http_request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  AURA_ASSIGN_OR_RETURN(HttpResponse response, http_.Send(http_request, deadline));
  if (response.status < 200 || response.status > 299) {
    return StatusFromHttp(response.status, "chat completion");
  }
  ChatResponse out;
  out.attempts = response.attempts;
  try {
    const nlohmann::json j = nlohmann::json::parse(response.body);
    const auto& choice = j.at("choices").at(0);
    const auto& content = choice.at("message").at("content");
    if (!content.is_string()) return common::InternalError("chat completion content is not text");
    out.content = content.get<std::string>();
    if (auto it = choice.find("finish_reason"); it != choice.end() && it->is_string()) {
      out.finish_reason = it->get<std::string>();
    }
    if (auto it = j.find("model"); it != j.end() && it->is_string()) out.model = it->get<std::string>();
    if (auto it = j.find("usage"); it != j.end() && it->is_object()) {
      out.usage.prompt_tokens = it->value("prompt_tokens", int64_t{0});
      out.usage.completion_tokens = it->value("completion_tokens", int64_t{0});
      out.usage.total_tokens = it->value("total_tokens", int64_t{0});
    }
  } catch (const nlohmann::json::exception&) {
    return common::InternalError("chat completion response is not the expected JSON shape");
  }
  return out;
}

common::Result<std::unique_ptr<ChatClient>> MakeChatClient(const common::Config& config,
                                                           ApiClientOptions overrides) {
  AURA_ASSIGN_OR_RETURN(ProviderEndpoint endpoint, ResolveProvider(config.llm, config.llm.model));
  overrides.endpoint = std::move(endpoint);
  overrides.http.attempt_timeout = config.llm.timeout;
  return std::make_unique<ChatClient>(std::move(overrides));
}

}  // namespace aura::clients
