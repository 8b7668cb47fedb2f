#include "core/search/eval/search_eval.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/search/search_service.h"

namespace aura::core::search {

common::Result<std::vector<EvalQuery>> LoadEvalQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) return common::NotFoundError("cannot read eval queries " + path);
  try {
    const nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<EvalQuery> out;
    for (const auto& q : doc.at("queries")) {
      EvalQuery e;
      e.query = q.at("query").get<std::string>();
      e.relevant = q.at("relevant").get<std::vector<std::string>>();
      e.note = q.value("note", "");
      if (e.relevant.empty()) {
        return common::InvalidArgumentError("eval query '" + e.query + "' lists no relevant item");
      }
      out.push_back(std::move(e));
    }
    return out;
  } catch (const std::exception& e) {
    return common::InvalidArgumentError("eval queries " + path + ": " + e.what());
  }
}

common::Result<EvalReport> Evaluate(Embedder& embedder, const std::vector<storage::Item>& items,
                                    const std::vector<EvalQuery>& queries) {
  std::vector<const storage::Item*> active;
  std::vector<std::string> texts;
  std::set<std::string> ids;
  for (const storage::Item& item : items) {
    if (!item.active) continue;
    active.push_back(&item);
    texts.push_back(ItemText(item));
    ids.insert(item.id);
  }
  AURA_ASSIGN_OR_RETURN(std::vector<std::vector<float>> vectors, embedder.EmbedBatch(texts));

  EvalReport report;
  report.model = embedder.ModelName();
  report.queries = queries.size();
  for (const EvalQuery& q : queries) {
    for (const std::string& id : q.relevant) {
      if (!ids.contains(id)) {
        return common::InvalidArgumentError("eval query '" + q.query + "' names item " + id +
                                            ", which is not an active inventory item");
      }
    }
    AURA_ASSIGN_OR_RETURN(std::vector<float> qv, embedder.Embed(q.query));
    std::vector<std::pair<float, std::string>> ranked;
    for (size_t i = 0; i < active.size(); ++i) {
      ranked.emplace_back(IsZero(qv) ? 0.0f : Dot(qv, vectors[i]), active[i]->id);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    int rank = 0;
    if (!IsZero(qv)) {
      for (size_t i = 0; i < ranked.size(); ++i) {
        if (std::find(q.relevant.begin(), q.relevant.end(), ranked[i].second) != q.relevant.end()) {
          rank = static_cast<int>(i) + 1;
          break;
        }
      }
    }
    if (rank == 1) report.recall_at_1 += 1;
    if (rank >= 1 && rank <= 3) {
      report.recall_at_3 += 1;
    } else {
      EvalMiss miss{q.query, q.relevant, {}, rank};
      for (size_t i = 0; i < ranked.size() && i < 3; ++i) miss.top3.push_back(ranked[i].second);
      report.misses_at_3.push_back(std::move(miss));
    }
    if (rank > 0) report.mrr += 1.0 / rank;
  }
  if (!queries.empty()) {
    const auto n = static_cast<double>(queries.size());
    report.recall_at_1 /= n;
    report.recall_at_3 /= n;
    report.mrr /= n;
  }
  return report;
}

}  // namespace aura::core::search
