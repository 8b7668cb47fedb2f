#include "core/search/remote_embedder.h"

#include <exception>

namespace aura::core::search {

RemoteEmbedder::RemoteEmbedder(std::unique_ptr<EmbeddingsBackend> backend, std::string model)
    : backend_(std::move(backend)), model_(std::move(model)) {}

Result<std::vector<float>> RemoteEmbedder::Embed(const std::string& text) {
  AURA_ASSIGN_OR_RETURN(std::vector<std::vector<float>> out, EmbedBatch({text}));
  return std::move(out.front());
}

Result<std::vector<std::vector<float>>> RemoteEmbedder::EmbedBatch(
    const std::vector<std::string>& texts) {
  if (texts.empty()) return std::vector<std::vector<float>>{};
  Result<std::vector<std::vector<float>>> answer = common::InternalError("no answer");
  try {
    answer = backend_->Embed(texts);
  } catch (const std::exception& e) {
    return common::InternalError(std::string("embeddings backend failed: ") + e.what());
  }
  if (!answer.ok()) return answer.status();
  std::vector<std::vector<float>> out = std::move(answer).value();
  if (out.size() != texts.size()) {
    return common::InternalError("embeddings API returned " + std::to_string(out.size()) +
                                 " vectors for " + std::to_string(texts.size()) + " inputs");
  }
  for (std::vector<float>& v : out) {
    if (v.empty()) return common::InternalError("embeddings API returned an empty vector");
    int expected = 0;
    const int got = static_cast<int>(v.size());
    if (!dims_.compare_exchange_strong(expected, got) && expected != got) {
      return common::InternalError("embeddings API returned " + std::to_string(got) +
                                   " dimensions, earlier answers had " + std::to_string(expected));
    }
    NormalizeInPlace(v);
  }
  return out;
}

}  // namespace aura::core::search
