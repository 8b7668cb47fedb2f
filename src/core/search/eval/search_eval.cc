#include "core/search/eval/search_eval.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/search/result_cache.h"
#include "core/search/search_service.h"
#include "core/search/testing/fake_item_store.h"

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

namespace {

// Lends the caller's embedder to a SearchService, which wants to own one.
class BorrowedEmbedder final : public Embedder {
 public:
  explicit BorrowedEmbedder(Embedder& inner) : inner_(inner) {}
  Result<std::vector<float>> Embed(const std::string& text) override { return inner_.Embed(text); }
  Result<std::vector<std::vector<float>>> EmbedBatch(const std::vector<std::string>& texts) override {
    return inner_.EmbedBatch(texts);
  }
  std::string ModelName() const override { return inner_.ModelName(); }
  int Dimensions() const override { return inner_.Dimensions(); }
  const TermSource* WordTerms() const override { return inner_.WordTerms(); }

 private:
  Embedder& inner_;
};

}  // namespace

common::Result<EvalReport> Evaluate(Embedder& embedder, const std::vector<storage::Item>& items,
                                    const std::vector<EvalQuery>& queries, const EvalOptions& options) {
  std::set<std::string> ids;
  testing::FakeItemStore store;
  for (const storage::Item& item : items) {
    if (item.active) ids.insert(item.id);
    storage::Item copy = item;
    copy.embedding.clear();  // embedded by this embedder
    copy.embedding_model.clear();
    store.Put(std::move(copy));
  }
  for (const EvalQuery& q : queries) {
    for (const std::string& id : q.relevant) {
      if (!ids.contains(id)) {
        return common::InvalidArgumentError("eval query '" + q.query + "' names item " + id +
                                            ", which is not an active inventory item");
      }
    }
  }
  SearchServiceOptions service_options{.rerank = options.rerank,
                                       .refresh_interval = std::chrono::milliseconds(0),
                                       .progress = [](size_t, size_t) {}};
  service_options.cache.ttl = std::chrono::milliseconds(0);  // every query searched
  service_options.cache.near_threshold = 2.0;
  const common::SystemClock& clock = common::SystemClock::Instance();
  SearchService service(service_options, store, std::make_unique<BorrowedEmbedder>(embedder),
                        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock), clock);
  AURA_RETURN_IF_ERROR(service.Start());

  EvalReport report;
  report.model = embedder.ModelName();
  report.queries = queries.size();
  for (const EvalQuery& q : queries) {
    AURA_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, service.Search(q.query, options.limit, -1.0));
    int rank = 0;
    for (size_t i = 0; i < hits.size(); ++i) {
      if (std::find(q.relevant.begin(), q.relevant.end(), hits[i].item_id) != q.relevant.end()) {
        rank = static_cast<int>(i) + 1;
        break;
      }
    }
    report.ranks.push_back(rank);
    if (rank == 1) report.recall_at_1 += 1;
    if (rank >= 1 && rank <= 3) {
      report.recall_at_3 += 1;
    } else {
      EvalMiss miss{q.query, q.relevant, {}, rank};
      for (size_t i = 0; i < hits.size() && i < 3; ++i) miss.top3.push_back(hits[i].item_id);
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
