#include "core/search/embedder_factory.h"

#include "common/log/log.h"
#include "core/search/hashing_embedder.h"

namespace aura::core::search {

Result<std::unique_ptr<Embedder>> MakeEmbedder(const EmbedderOptions& options,
                                               const EmbeddingsBackendFactory& remote) {
  const std::string& model = options.model.empty() ? std::string("local") : options.model;
  if (model == "hashing") {
    return std::unique_ptr<Embedder>(
        std::make_unique<HashingEmbedder>(HashingEmbedderOptions{.dimensions = options.hashing_dimensions}));
  }
  if (model == "local") {
    std::string tried;
    for (const std::string& path : options.vectors_paths) {
      auto vectors = WordVectors::Open(path);
      if (vectors.ok()) {
        AURA_LOG_INFO("search.word_vectors_loaded")
            .With("path", path)
            .With("words", static_cast<int64_t>((*vectors)->Count()));
        return std::unique_ptr<Embedder>(
            std::make_unique<WordVectorEmbedder>(std::move(vectors).value(), options.word_vectors));
      }
      if (vectors.status().code() != common::StatusCode::kNotFound) {
        AURA_LOG_WARNING("search.word_vectors_unusable")
            .With("path", path)
            .With("error", vectors.status().ToString());
      }
      tried += (tried.empty() ? "" : ", ") + path;
    }
    AURA_LOG_WARNING("search.word_vectors_missing")
        .With("tried", tried)
        .With("fallback", "hashing embedder (no synonyms; weaker search)")
        .With("fix", "run scripts/fetch_word_vectors.sh DIR and point the core at DIR");
    return std::unique_ptr<Embedder>(
        std::make_unique<HashingEmbedder>(HashingEmbedderOptions{.dimensions = options.hashing_dimensions}));
  }
  if (!remote) {
    return common::FailedPreconditionError("embedding model '" + model +
                                           "' needs an embeddings API client, and none was given");
  }
  AURA_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddingsBackend> backend, remote(model));
  return std::unique_ptr<Embedder>(std::make_unique<RemoteEmbedder>(std::move(backend), model));
}

}  // namespace aura::core::search
