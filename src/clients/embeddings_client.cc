#include "clients/embeddings_client.h"

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

EmbeddingsClient::EmbeddingsClient(EmbeddingsClientOptions options)
    : options_(std::move(options)),
      breaker_(options_.api.breaker),
      http_(WithBreaker(options_.api.http, &breaker_)) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  if (options_.api.metrics != nullptr) {
    metrics_ = &options_.api.metrics->For(ModelLabel(options_.api), "embeddings");
  }
}

int64_t EmbeddingsClient::total_tokens() const {
  std::lock_guard lock(mu_);
  return total_tokens_;
}

common::Result<std::vector<std::vector<float>>> EmbeddingsClient::Embed(
    const std::vector<std::string>& inputs, Deadline deadline) {
  std::vector<std::vector<float>> out(inputs.size());
  for (size_t begin = 0; begin < inputs.size(); begin += options_.max_batch) {
    const size_t end = std::min(inputs.size(), begin + options_.max_batch);
    AURA_RETURN_IF_ERROR(EmbedBatch(inputs, begin, end, deadline, out));
  }
  return out;
}

common::Status EmbeddingsClient::EmbedBatch(const std::vector<std::string>& inputs, size_t begin,
                                            size_t end, Deadline deadline,
                                            std::vector<std::vector<float>>& out) {
  const ProviderEndpoint& ep = options_.api.endpoint;
  auto span = tracer_.StartScopedSpan("embeddings " + ep.model, {.kind = telemetry::SpanKind::kClient});
  span.SetAttribute("gen_ai.operation.name", "embeddings")
      .SetAttribute("gen_ai.system", ProviderName(ep.provider))
      .SetAttribute("gen_ai.request.model", ep.model)
      .SetAttribute("server.address", ServerAddress(ep.base_url))
      .SetAttribute("aura.embeddings.inputs", static_cast<int64_t>(end - begin));
  const auto start = std::chrono::steady_clock::now();
  int64_t tokens = 0;
  common::Status status = EmbedBatchOnce(inputs, begin, end, deadline, out, tokens);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (status.ok()) {
    span.SetAttribute("gen_ai.usage.input_tokens", tokens);
  } else {
    span.SetAttribute("error.type", common::StatusCodeName(status.code()))
        .SetStatus(telemetry::StatusCode::kError, status.message());
  }
  if (metrics_ != nullptr) {
    (status.ok() ? metrics_->ok : metrics_->error)->Increment();
    metrics_->duration->Observe(seconds);
    if (tokens > 0) metrics_->input_tokens->Increment(static_cast<double>(tokens));
  }
  return status;
}

common::Status EmbeddingsClient::EmbedBatchOnce(const std::vector<std::string>& inputs,
                                                size_t begin, size_t end, Deadline deadline,
                                                std::vector<std::vector<float>>& out,
                                                int64_t& tokens) {
  nlohmann::json body;
  body["model"] = options_.api.endpoint.model;
  body["input"] = nlohmann::json::array();
  for (size_t i = begin; i < end; ++i) body["input"].push_back(inputs[i]);
  if (options_.api.endpoint.provider != Provider::kMistral) body["encoding_format"] = "float";

  HttpRequest request;
  request.method = "POST";
  request.url = options_.api.endpoint.base_url + "/embeddings";
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "application/json");
  if (!options_.api.endpoint.api_key.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.api.endpoint.api_key);
  }
  request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  AURA_ASSIGN_OR_RETURN(HttpResponse response, http_.Send(request, deadline));
  if (response.status < 200 || response.status > 299) {
    return StatusFromHttp(response.status, "embeddings");
  }
  const size_t count = end - begin;
  try {
    const nlohmann::json j = nlohmann::json::parse(response.body);
    const auto& data = j.at("data");
    if (!data.is_array() || data.size() != count) {
      return common::InternalError("embeddings response has " + std::to_string(data.size()) +
                                   " vectors for " + std::to_string(count) + " inputs");
    }
    std::vector<bool> seen(count, false);
    size_t dim = 0;
    for (const auto& entry : data) {
      const auto index = entry.at("index").get<int64_t>();
      if (index < 0 || static_cast<size_t>(index) >= count || seen[index]) {
        return common::InternalError("embeddings response has a bad or repeated index");
      }
      seen[index] = true;
      std::vector<float> vec = entry.at("embedding").get<std::vector<float>>();
      if (vec.empty() || (dim != 0 && vec.size() != dim)) {
        return common::InternalError("embeddings response has vectors of different sizes");
      }
      dim = vec.size();
      out[begin + static_cast<size_t>(index)] = std::move(vec);
    }
    if (auto it = j.find("usage"); it != j.end() && it->is_object()) {
      tokens = it->value("total_tokens", int64_t{0});
      std::lock_guard lock(mu_);
      total_tokens_ += tokens;
    }
  } catch (const nlohmann::json::exception&) {
    return common::InternalError("embeddings response is not the expected JSON shape");
  }
  return common::OkStatus();
}

common::Result<std::unique_ptr<EmbeddingsClient>> MakeEmbeddingsClient(
    const common::Config& config, std::string_view model_name, EmbeddingsClientOptions overrides) {
  AURA_ASSIGN_OR_RETURN(ProviderEndpoint endpoint, ResolveProvider(config.llm, model_name));
  overrides.api.endpoint = std::move(endpoint);
  overrides.api.http.attempt_timeout = config.llm.timeout;
  return std::make_unique<EmbeddingsClient>(std::move(overrides));
}

}  // namespace aura::clients
