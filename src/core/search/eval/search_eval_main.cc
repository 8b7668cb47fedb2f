// aura-search-eval: prints Recall@1, Recall@3 and MRR of every available
// embedder over the labelled queries (data/search_eval/queries.json) and the
// demo inventory.
//
//   aura-search-eval [--queries F] [--inventory F] [--vectors F] [--misses]
//                    [--sif-a A] [--common-words N]   (word vector embedder knobs)
//                    [--no-rerank] [--sentence-weight W] [--candidates K]
//                    [--min-item-weight W] [--max-item-terms N] [--price-weight W]
//                    (re-ranking knobs, term_reranker.h) [--ranks]
//   --ranks prints every query's rank of its first relevant item (0 = not in the top 10).
//
// Exit status 0 when it ran, 1 when an input is missing or malformed.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/log/log.h"
#include "core/search/eval/search_eval.h"
#include "core/search/hashing_embedder.h"
#include "core/search/testing/fake_item_store.h"
#include "core/search/word_vector_embedder.h"

namespace search = aura::core::search;

int main(int argc, char** argv) {
  std::string queries_path = AURA_SEARCH_EVAL_QUERIES;
  std::string inventory_path = AURA_DEMO_INVENTORY;
  std::string vectors_path = AURA_WORD_VECTORS_PATH;
  bool show_misses = false;
  bool show_ranks = false;
  search::WordVectorEmbedderOptions wv_options;
  search::EvalOptions eval_options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--queries") {
      queries_path = next();
    } else if (arg == "--inventory") {
      inventory_path = next();
    } else if (arg == "--vectors") {
      vectors_path = next();
    } else if (arg == "--sif-a") {
      wv_options.sif_a = std::strtof(next().c_str(), nullptr);
    } else if (arg == "--common-words") {
      wv_options.common_component_words = std::atoi(next().c_str());
    } else if (arg == "--no-rerank") {
      eval_options.rerank.enabled = false;
    } else if (arg == "--sentence-weight") {
      eval_options.rerank.sentence_weight = std::strtof(next().c_str(), nullptr);
    } else if (arg == "--candidates") {
      eval_options.rerank.candidates = static_cast<size_t>(std::atoi(next().c_str()));
    } else if (arg == "--max-item-terms") {
      eval_options.rerank.max_item_terms = static_cast<size_t>(std::atoi(next().c_str()));
    } else if (arg == "--min-item-weight") {
      eval_options.rerank.min_item_weight = std::strtof(next().c_str(), nullptr);
    } else if (arg == "--price-weight") {
      eval_options.rerank.price_weight = std::strtof(next().c_str(), nullptr);
    } else if (arg == "--misses") {
      show_misses = true;
    } else if (arg == "--ranks") {
      show_ranks = true;
    } else {
      std::fprintf(stderr,
                   "usage: aura-search-eval [--queries F] [--inventory F] [--vectors F] [--misses]"
                   " [--sif-a A] [--common-words N] [--no-rerank] [--sentence-weight W]"
                   " [--candidates K] [--min-item-weight W] [--max-item-terms N] [--price-weight W] [--ranks]\n");
      return arg == "--help" || arg == "-h" ? 0 : 1;
    }
  }
  aura::common::InitLogging({.level = aura::common::LogLevel::kWarning, .logger = "aura-search-eval",
                             .synchronous = true});
  auto queries = search::LoadEvalQueries(queries_path);
  auto items = search::testing::LoadInventoryFile(inventory_path);
  if (!queries.ok() || !items.ok()) {
    std::fprintf(stderr, "aura-search-eval: %s\n",
                 (!queries.ok() ? queries.status() : items.status()).ToString().c_str());
    return 1;
  }

  std::vector<std::pair<std::string, std::unique_ptr<search::Embedder>>> embedders;
  if (auto wv = search::WordVectors::Open(vectors_path); wv.ok()) {
    embedders.emplace_back(eval_options.rerank.enabled ? "local word vectors, re-ranked"
                                                       : "local word vectors (SIF)",
                           std::make_unique<search::WordVectorEmbedder>(std::move(wv).value(), wv_options));
  } else {
    std::fprintf(stderr, "aura-search-eval: no word vectors (%s); run scripts/fetch_word_vectors.sh\n",
                 wv.status().ToString().c_str());
  }
  embedders.emplace_back("hashing fallback", std::make_unique<search::HashingEmbedder>());

  std::printf("%zu queries over %zu items\n\n", queries->size(), items->size());
  std::printf("%-30s %-24s %9s %9s %7s\n", "embedder", "model", "Recall@1", "Recall@3", "MRR@10");
  std::vector<search::EvalReport> reports;
  for (auto& [label, embedder] : embedders) {
    auto report = search::Evaluate(*embedder, *items, *queries, eval_options);
    if (!report.ok()) {
      std::fprintf(stderr, "aura-search-eval: %s\n", report.status().ToString().c_str());
      return 1;
    }
    std::printf("%-30s %-24s %9.3f %9.3f %7.3f\n", label.c_str(), report->model.c_str(),
                report->recall_at_1, report->recall_at_3, report->mrr);
    reports.push_back(std::move(report).value());
  }
  if (show_ranks) {
    for (const search::EvalReport& r : reports) {
      std::printf("\nranks for %s:\n", r.model.c_str());
      for (size_t i = 0; i < r.ranks.size() && i < queries->size(); ++i) {
        std::printf("  %2d  %s\n", r.ranks[i], (*queries)[i].query.c_str());
      }
    }
  }
  if (show_misses) {
    for (const search::EvalReport& r : reports) {
      std::printf("\nmisses at 3 for %s:\n", r.model.c_str());
      for (const search::EvalMiss& m : r.misses_at_3) {
        std::printf("  \"%s\" wants %s (rank %d), got", m.query.c_str(), m.relevant.front().c_str(),
                    m.rank);
        for (const std::string& id : m.top3) std::printf(" %s", id.c_str());
        std::printf("\n");
      }
    }
  }
  aura::common::ShutdownLogging();
  return 0;
}
