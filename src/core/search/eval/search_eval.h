// File: core/search/eval/search_eval.h
//
// Search quality measurement: a labelled set of queries over an inventory
// (data/search_eval/queries.json over data/demo_inventory.json) and the
// standard ranking measures for an embedder — Recall@1, Recall@3 (a query
// counts when any of its relevant items is in the top k) and MRR@10 (mean of
// 1 / rank of the first relevant item, 0 when it is not in the top 10). The
// ranking is SearchService's own answer (index candidates, re-ranked when the
// embedder knows words) over the active items, uncached, with limit 10.
//
//   AURA_ASSIGN_OR_RETURN(auto queries, LoadEvalQueries(path));
//   AURA_ASSIGN_OR_RETURN(EvalReport r, Evaluate(embedder, items, queries));
//   std::printf("%.3f\n", r.recall_at_3);
//
// queries.json: {"queries": [{"query": "...", "relevant": ["item_id", ...],
// "note": "why it is there"}]}.
//
// Thread-compatible. Status codes: NOT_FOUND / INVALID_ARGUMENT for files
// that are missing or malformed, including a relevant id absent from the
// inventory; the embedder's errors.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "core/search/embedder.h"
#include "core/search/term_reranker.h"
#include "storage/types.h"

namespace aura::core::search {

struct EvalQuery {
  std::string query;
  std::vector<std::string> relevant;
  std::string note;
};

struct EvalMiss {
  std::string query;
  std::vector<std::string> relevant;
  std::vector<std::string> top3;
  int rank = 0;  // of the first relevant item (1-based), 0 = not in the top `limit`
};

struct EvalReport {
  std::string model;
  size_t queries = 0;
  double recall_at_1 = 0;
  double recall_at_3 = 0;
  double mrr = 0;
  std::vector<EvalMiss> misses_at_3;  // queries with no relevant item in the top 3
  std::vector<int> ranks;             // per query, in order: as EvalMiss::rank
};

common::Result<std::vector<EvalQuery>> LoadEvalQueries(const std::string& path);

struct EvalOptions {
  // The re-ranking stage as SearchService would run it (enabled = false: cosine only).
  TermRerankOptions rerank;
  // Results per query; ranks beyond it count as not found.
  int limit = 10;
};

// `embedder` is used, not owned.
common::Result<EvalReport> Evaluate(Embedder& embedder, const std::vector<storage::Item>& items,
                                    const std::vector<EvalQuery>& queries,
                                    const EvalOptions& options = {});

}  // namespace aura::core::search
