#include "core/search/clients_backend.h"

namespace aura::core::search {

ClientEmbeddingsBackend::ClientEmbeddingsBackend(std::unique_ptr<clients::EmbeddingsClient> client,
                                                 std::chrono::milliseconds timeout)
    : client_(std::move(client)), timeout_(timeout) {}

Result<std::vector<std::vector<float>>> ClientEmbeddingsBackend::Embed(
    const std::vector<std::string>& inputs) {
  return client_->Embed(inputs, clients::Deadline::After(timeout_));
}

std::string QualifiedEmbeddingModel(const std::string& model) {
  return model.find('/') == std::string::npos ? "mistral/" + model : model;
}

EmbeddingsBackendFactory MakeClientEmbeddingsBackendFactory(const common::Config& config) {
  return [config](const std::string& model) -> Result<std::unique_ptr<EmbeddingsBackend>> {
    AURA_ASSIGN_OR_RETURN(std::unique_ptr<clients::EmbeddingsClient> client,
                          clients::MakeEmbeddingsClient(config, QualifiedEmbeddingModel(model)));
    return std::unique_ptr<EmbeddingsBackend>(
        std::make_unique<ClientEmbeddingsBackend>(std::move(client), config.llm.timeout));
  };
}

}  // namespace aura::core::search
