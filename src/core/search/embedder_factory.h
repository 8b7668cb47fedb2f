// File: core/search/embedder_factory.h
//
// MakeEmbedder: picks the embedder the configuration names.
//   "local"    — WordVectorEmbedder over the first vectors file that exists;
//                when none does (or it is damaged), a HashingEmbedder, with a
//                warning `search.word_vectors_missing` that says how to fetch
//                the file (scripts/fetch_word_vectors.sh);
//   "hashing"  — HashingEmbedder, always;
//   otherwise  — RemoteEmbedder for that model name (e.g. "mistral-embed"),
//                with the backend that `remote` builds.
//
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<Embedder> e,
//                         MakeEmbedder({.model = "local", .vectors_paths = {path}}));
//
// Status codes: FAILED_PRECONDITION for a remote model without a backend
// factory; the factory's own errors are returned as they are.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/search/embedder.h"
#include "core/search/remote_embedder.h"
#include "core/search/word_vector_embedder.h"

namespace aura::core::search {

// File name of the converted vectors inside the fetch script's DEST.
inline constexpr char kWordVectorsFileName[] = "wink-sg-100d.awv";

struct EmbedderOptions {
  // "local", "hashing" or a remote model name.
  std::string model = "local";
  // Candidate vectors files, tried in order (see SearchServiceOptionsFromConfig).
  std::vector<std::string> vectors_paths;
  int hashing_dimensions = 512;
  WordVectorEmbedderOptions word_vectors;
};

// Builds the backend of a remote model (the clients module's embeddings client).
using EmbeddingsBackendFactory =
    std::function<Result<std::unique_ptr<EmbeddingsBackend>>(const std::string& model)>;

Result<std::unique_ptr<Embedder>> MakeEmbedder(const EmbedderOptions& options,
                                               const EmbeddingsBackendFactory& remote = nullptr);

}  // namespace aura::core::search
