// File: core/search/term_reranker.h
//
// TermReranker: the second stage of search. The first stage (the HNSW index)
// ranks items by the cosine of whole-text embeddings, which for the local
// word-vector embedder are weighted averages of word vectors: one decisive
// query word ("surfers") is diluted by everything else an item's description
// says. The re-ranker looks at words instead. For each content word of the
// query it finds the most similar word of the item (cosine of the two word
// vectors; 1 for the same word) and averages those best matches with the
// query words' SIF weights:
//
//   match(q, item)  = Σ_i w_i · max_j cos(q_i, d_j)  /  Σ_i w_i
//   score(q, item)  = sentence_weight · cos(q, item) + (1 − sentence_weight) · match(q, item)
//
// Both parts are cosines, so the score is a convex combination of cosines and
// stays in [−1, 1] (it is what SearchHit::similarity reports and what
// min_similarity cuts). Words of an item lighter than min_item_weight (the,
// with, and...) are not matched: they would match every query's function
// words. Only the index's top `candidates` items are re-scored, so the cost is
// bounded: about query words × item words × candidates dot products of
// 100 floats (~20 µs for a short query).
//
// Price intent: a query that asks for something cheap ("inexpensive",
// "budget", "affordable") or luxurious ("upscale", "opulent") says so in one
// word, and no word of an item's text says "cheap" as well as its price does.
// Prepare detects the intent from the query's words by word-vector similarity
// to two small lists of anchor words (kCheapAnchors / kLuxuryAnchors in the
// .cc): a query word whose best cosine with one list is at least
// price_intent_low, and exceeds its best cosine with the other list by
// price_intent_margin (antonyms sit close in these vectors: cheap~expensive
// 0.78), votes for that side with strength ramping from 0 at price_intent_low
// to 1 at price_intent_high. QueryTerms::price_intent = strongest cheap vote −
// strongest luxury vote, in [−1, 1] (negative: cheap). PriceBonuses then turns
// the candidates' prices into a bonus of at most price_weight · |intent|:
//
//   fit(item)   = position of log(base_price) between the candidates' lowest
//                 and highest log price, 1 at the end the query asks for
//   bonus(item) = price_weight · |price_intent| · fit(item)
//   similarity  = min(1, score + bonus)
//
// The candidates are of mixed kinds (hostels, tours, car rentals), so the
// scale is log price over all of them rather than a rank within one
// meta.category: the demo inventory's categories hold 1–5 items, too few
// among 20 candidates to rank within, and on a log scale a 40 capsule hotel
// and a 50 hostel are close while a 330 hotel is far. The word match keeps
// the kind right; the bonus only orders items that match about equally.
// Items without a positive price get no bonus. No intent: scores unchanged.
//
// Words come from a TermSource, which embedders that know words implement
// (WordVectorEmbedder); search with other embedders skips this stage.
//
//   TermReranker reranker(*embedder.Terms(), {});
//   ItemTerms item = reranker.Learn(reranker.ItemWords(ItemText(item)));  // indexing
//   QueryTerms q = reranker.Prepare("inexpensive lodging for surfers");
//   float s = reranker.Score(q, item, cosine);
//   std::vector<float> bonus = TermReranker::PriceBonuses(prices, q.price_intent,
//                                                         reranker.options().price_weight);
//
// Thread-safety: ItemWords, Prepare and Score may run concurrently with each
// other; Learn grows the shared word table and must not run concurrently with
// anything (SearchService calls it under its write lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aura::core::search {

// One distinct known word of a text.
struct Term {
  int32_t word = -1;  // the source's word id
  float weight = 0;   // importance in (0, 1]: SIF weight
  friend bool operator==(const Term&, const Term&) = default;
};

// What the re-ranker needs from an embedder that knows words.
class TermSource {
 public:
  virtual ~TermSource() = default;
  // The distinct known words of the text (after the embedder's tokenising and
  // fallbacks), each once with its weight.
  virtual std::vector<Term> Terms(std::string_view text) const = 0;
  // Length of word vectors.
  virtual int TermDimensions() const = 0;
  // The word's vector scaled to unit length, TermDimensions() floats.
  virtual void TermUnitVector(int32_t word, float* out) const = 0;
};

struct TermRerankOptions {
  // false: search ranks by the embedding cosine alone.
  bool enabled = true;
  // How many of the index's best items are re-scored (at least the limit).
  size_t candidates = 20;
  // Share of the whole-text cosine in the score; the rest is the word match.
  float sentence_weight = 0.5f;
  // Item words lighter than this are not matched (function words).
  float min_item_weight = 0.3f;
  // Query words lighter than this are ignored.
  float min_query_weight = 0.05f;
  // At most this many words of an item are kept (the heaviest).
  size_t max_item_terms = 24;
  // At most this many words of a query are used (the heaviest).
  size_t max_query_terms = 16;
  // Largest price bonus (at full price intent, for the best-fitting price);
  // 0 turns price intent off.
  float price_weight = 0.1f;
  // A query word votes for a price side from this cosine with its anchors...
  float price_intent_low = 0.75f;
  // ...with full strength from this one...
  float price_intent_high = 0.9f;
  // ...when it is at least this much closer to that side's anchors than to
  // the other side's.
  float price_intent_margin = 0.1f;
};

// An item's words: slots of the re-ranker's word table.
struct ItemTerms {
  std::vector<uint32_t> slots;
};

// A query's words, ready for Score.
struct QueryTerms {
  std::vector<float> vectors;  // unit word vectors, one after the other
  std::vector<float> weights;  // summing to 1
  // In [−1, 1]: < 0 the query asks for something cheap, > 0 for something
  // luxurious, 0 neither. Independent of empty().
  float price_intent = 0;
  bool empty() const { return weights.empty(); }
};

class TermReranker {
 public:
  // `source` must outlive the re-ranker.
  TermReranker(const TermSource& source, TermRerankOptions options);

  const TermRerankOptions& options() const { return options_; }

  // The words of an item's text that Learn keeps (no table change).
  std::vector<Term> ItemWords(std::string_view item_text) const;
  // The item's words as table slots, adding new words to the table. See
  // thread-safety.
  ItemTerms Learn(const std::vector<Term>& item_words);
  // The query's words (no table change).
  QueryTerms Prepare(std::string_view query) const;
  // The re-ranked score from the index's cosine; the cosine itself when either
  // side has no words.
  float Score(const QueryTerms& query, const ItemTerms& item, float cosine) const;
  // The query's price intent as Prepare computes it (see the file comment).
  float PriceIntent(std::string_view query) const;
  // One bonus per price, in [0, weight · |intent|] (see the file comment).
  // All zero when intent is 0, or fewer than two distinct positive prices.
  static std::vector<float> PriceBonuses(const std::vector<double>& prices, float intent, float weight);

  // Distinct words in the table, and the bytes they take.
  size_t TableWords() const { return slot_of_.size(); }
  size_t MemoryBytes() const;

 private:
  const TermSource& source_;
  TermRerankOptions options_;
  size_t dims_;
  std::unordered_map<int32_t, uint32_t> slot_of_;  // word id -> slot
  std::vector<float> table_;                       // slot-major unit vectors
  std::vector<float> cheap_anchors_;               // unit vectors of the known anchor words
  std::vector<float> luxury_anchors_;

  float IntentOf(const std::vector<Term>& terms) const;
};

}  // namespace aura::core::search
