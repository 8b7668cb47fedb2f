#include "core/search/search_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "core/search/hashing_embedder.h"
#include "core/search/testing/fake_item_store.h"

namespace aura::core::search {
namespace {

using common::StatusCode;
using testing::FakeItemStore;

storage::Item MakeItem(const std::string& id, const std::string& name, const std::string& description,
                       double price = 100) {
  storage::Item item;
  item.id = id;
  item.name = name;
  item.description = description;
  item.base_price = price;
  item.floor_price = price * 0.8;
  return item;
}

// Counts calls, so tests can see when the cache spared an embedding.
class CountingEmbedder : public Embedder {
 public:
  explicit CountingEmbedder(std::string model = "hashing-test") : model_(std::move(model)) {}
  Result<std::vector<float>> Embed(const std::string& text) override {
    calls.fetch_add(1);
    return inner_.Embed(text);
  }
  std::string ModelName() const override { return model_; }
  int Dimensions() const override { return inner_.Dimensions(); }
  std::atomic<int> calls{0};

 private:
  HashingEmbedder inner_{{.dimensions = 256}};
  std::string model_;
};

class SearchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.Put(MakeItem("hostel_beta", "Backpacker Hostel Beta",
                        "A friendly budget hostel in Bali with shared dorms. Good for backpackers.", 50));
    store_.Put(MakeItem("hotel_alpha", "Grand Hotel Alpha (Luxury)",
                        "A five-star tower in Dubai with butler service and a spa.", 1000));
    store_.Put(MakeItem("ski_chalet", "Zermatt Ski Chalet",
                        "A mountain chalet with a sauna and ski-in access.", 950));
    auto embedder = std::make_unique<CountingEmbedder>();
    embedder_ = embedder.get();
    service_ = std::make_unique<SearchService>(
        SearchServiceOptions{.refresh_interval = std::chrono::milliseconds(0),
                             .progress = [](size_t, size_t) {}},
        store_, std::move(embedder), std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock_),
        clock_);
    ASSERT_TRUE(service_->Start().ok());
  }

  std::vector<std::string> Ids(const std::vector<SearchHit>& hits) {
    std::vector<std::string> ids;
    for (const SearchHit& h : hits) ids.push_back(h.item_id);
    return ids;
  }

  common::FakeClock clock_;
  FakeItemStore store_;
  CountingEmbedder* embedder_ = nullptr;
  std::unique_ptr<SearchService> service_;
};

TEST_F(SearchServiceTest, FindsTheBestItemFirstWithASnippet) {
  auto hits = service_->Search("budget hostel for backpackers", 0, 0.0);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  const SearchHit& top = hits->front();
  EXPECT_EQ(top.item_id, "hostel_beta");
  EXPECT_EQ(top.name, "Backpacker Hostel Beta");
  EXPECT_EQ(top.base_price, 50);
  EXPECT_EQ(top.description_snippet, "A friendly budget hostel in Bali with shared dorms.");
  for (size_t i = 1; i < hits->size(); ++i) EXPECT_GE((*hits)[i - 1].similarity, (*hits)[i].similarity);
  EXPECT_LE(top.similarity, 1.0);
}

TEST_F(SearchServiceTest, LimitDefaultsToFiveAndIsBounded) {
  for (int i = 0; i < 10; ++i) {
    store_.Put(MakeItem("room_" + std::to_string(i), "Hostel room " + std::to_string(i), "A hostel room."));
  }
  ASSERT_TRUE(service_->Refresh().ok());
  EXPECT_EQ(service_->Search("hostel room", 0, -1.0)->size(), 5u);
  EXPECT_EQ(service_->Search("hostel room", 1, -1.0)->size(), 1u);
  EXPECT_EQ(service_->Search("hostel room", 50, -1.0)->size(), 13u);
  for (int bad : {-1, 51, 1000}) {
    auto r = service_->Search("hostel", bad, 0.0);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().message(), "limit must be between 1 and 50");
  }
}

TEST_F(SearchServiceTest, MinSimilarityCutsOff) {
  auto all = service_->Search("ski chalet sauna", 10, -1.0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  auto strict = service_->Search("ski chalet sauna", 10, 0.3);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(Ids(*strict), std::vector<std::string>{"ski_chalet"});
  for (const SearchHit& h : *strict) EXPECT_GE(h.similarity, 0.3);
  for (double bad : {std::nan(""), HUGE_VAL, 1.5, -2.0}) {
    EXPECT_EQ(service_->Search("ski", 5, bad).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(SearchServiceTest, RefusesEmptyAndOversizedQueries) {
  for (const std::string& q : {std::string(""), std::string("   \t\n"), std::string("\x01\x02\x7F")}) {
    auto r = service_->Search(q, 0, 0.0);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "query must not be empty");
  }
  auto big = service_->Search(std::string(100 * 1024, 'a'), 0, 0.0);
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(big.status().message(), "query must be at most 4096 bytes");
  EXPECT_TRUE(service_->Search(std::string(4096, 'a'), 0, 0.0).ok());
}

TEST_F(SearchServiceTest, QueriesWithoutKnownWordsGetNoResults) {
  auto r = service_->Search("the and of", 0, 0.0);  // only words the hashing embedder skips
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(SearchServiceTest, AnyBytesInAnyLanguageNeverCrash) {
  for (const char* q : {"东京的便宜旅馆", "дешёвый хостел", "فندق رخيص", "🏄‍♂️ 🏨", "hostel\x01\x02 beta"}) {
    EXPECT_TRUE(service_->Search(q, 0, 0.0).ok()) << q;
  }
  EXPECT_EQ(Ids(*service_->Search("hostel\x01\x02 beta", 1, 0.0)), std::vector<std::string>{"hostel_beta"});
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(1, 300);
  for (int i = 0; i < 500; ++i) {
    std::string q(static_cast<size_t>(len(rng)), ' ');
    for (char& c : q) c = static_cast<char>(byte(rng));
    auto r = service_->Search(q, 3, 0.0);
    EXPECT_TRUE(r.ok() || r.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_F(SearchServiceTest, OnlyActiveItemsAndRefreshFollowsTheStore) {
  auto ids = [&] { return Ids(*service_->Search("hostel hotel chalet", 10, -1.0)); };
  EXPECT_EQ(ids().size(), 3u);
  const uint64_t v1 = service_->Describe().inventory_version;

  store_.SetActive("hotel_alpha", false);  // deactivated
  store_.Put(MakeItem("new_hostel", "New Hostel", "Another hostel."));  // added
  store_.Erase("ski_chalet");  // deleted behind the Store's back: only a complete listing sees it
  ASSERT_TRUE(service_->FullRefresh().ok());
  EXPECT_NE(service_->Describe().inventory_version, v1);
  auto now = ids();
  EXPECT_EQ(now.size(), 2u);
  EXPECT_NE(std::find(now.begin(), now.end(), "new_hostel"), now.end());
  EXPECT_EQ(std::find(now.begin(), now.end(), "hotel_alpha"), now.end());
  EXPECT_EQ(std::find(now.begin(), now.end(), "ski_chalet"), now.end());

  // Changed text is re-embedded; re-activation returns the item.
  store_.Put(MakeItem("new_hostel", "Lighthouse", "A lighthouse keeper's cottage.", 70));
  store_.SetActive("hotel_alpha", true);
  ASSERT_TRUE(service_->Refresh().ok());
  auto lighthouse = service_->Search("lighthouse cottage", 1, 0.0);
  ASSERT_TRUE(lighthouse.ok());
  ASSERT_EQ(lighthouse->size(), 1u);
  EXPECT_EQ(lighthouse->front().item_id, "new_hostel");
  EXPECT_EQ(lighthouse->front().base_price, 70);
  EXPECT_EQ(service_->Describe().indexed_items, 3u);
}

TEST_F(SearchServiceTest, RefreshReadsOnlyWhatChanged) {
  const int complete_before = store_.complete_calls();
  const int64_t read_before = store_.changed_items_returned();
  const uint64_t v1 = service_->Describe().inventory_version;
  ASSERT_TRUE(service_->Refresh().ok());  // nothing changed
  EXPECT_EQ(store_.changed_items_returned(), read_before);
  EXPECT_EQ(service_->Describe().inventory_version, v1);

  store_.Put(MakeItem("lighthouse", "Lighthouse", "A lighthouse keeper's cottage.", 70));
  store_.SetActive("hotel_alpha", false);
  ASSERT_TRUE(service_->Refresh().ok());
  EXPECT_EQ(store_.changed_items_returned(), read_before + 2) << "only the two changed items are read";
  EXPECT_EQ(store_.complete_calls(), complete_before) << "no complete listing after the first";
  EXPECT_NE(service_->Describe().inventory_version, v1);
  EXPECT_EQ(Ids(*service_->Search("lighthouse cottage", 1, 0.0)), std::vector<std::string>{"lighthouse"});
  auto all = service_->Search("hotel hostel chalet lighthouse", 10, -1.0);
  ASSERT_TRUE(all.ok());
  for (const SearchHit& h : *all) EXPECT_NE(h.item_id, "hotel_alpha");
  // Storing embeddings is not a change: the next poll reads nothing.
  const int64_t read_after = store_.changed_items_returned();
  ASSERT_TRUE(service_->Refresh().ok());
  EXPECT_EQ(store_.changed_items_returned(), read_after);
}

TEST(SearchService, ACompleteListingEveryIntervalNoticesDeletions) {
  common::FakeClock clock;
  FakeItemStore store;
  store.Put(MakeItem("a", "Hostel A", "A hostel."));
  store.Put(MakeItem("b", "Hostel B", "Another hostel."));
  SearchService service({.refresh_interval = std::chrono::milliseconds(0),
                         .full_refresh_interval = std::chrono::minutes(1),
                         .progress = [](size_t, size_t) {}},
                        store, std::make_unique<HashingEmbedder>(),
                        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock), clock);
  ASSERT_TRUE(service.Start().ok());
  EXPECT_EQ(service.Describe().complete_refreshes, 1u);
  store.Erase("b");
  ASSERT_TRUE(service.Refresh().ok());
  EXPECT_EQ(service.Describe().indexed_items, 2u) << "a deletion leaves no change to read";
  clock.Advance(std::chrono::seconds(61));
  ASSERT_TRUE(service.Refresh().ok());
  EXPECT_EQ(service.Describe().indexed_items, 1u);
  EXPECT_EQ(service.Describe().complete_refreshes, 2u);
}

TEST(SearchService, ReplicasAgreeOnTheInventoryVersionHoweverTheyGotThere) {
  common::FakeClock clock;
  FakeItemStore store;
  auto make = [&] {
    return std::make_unique<SearchService>(
        SearchServiceOptions{.refresh_interval = std::chrono::milliseconds(0), .progress = [](size_t, size_t) {}},
        store, std::make_unique<HashingEmbedder>(),
        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock), clock);
  };
  store.Put(MakeItem("a", "Hostel A", "A hostel."));
  auto early = make();
  ASSERT_TRUE(early->Start().ok());
  store.Put(MakeItem("b", "Hostel B", "Another hostel."));
  ASSERT_TRUE(early->Refresh().ok());
  store.Put(MakeItem("a", "Hostel A", "A renamed hostel."));
  store.SetActive("b", false);
  ASSERT_TRUE(early->Refresh().ok());
  auto late = make();  // one complete listing of the same inventory
  ASSERT_TRUE(late->Start().ok());
  EXPECT_EQ(early->Describe().inventory_version, late->Describe().inventory_version);
  EXPECT_EQ(early->Describe().indexed_items, 1u);
  EXPECT_EQ(late->Describe().indexed_items, 1u);
}

TEST_F(SearchServiceTest, StoresEmbeddingsWithTheirModelAndReembedsOnAModelChange) {
  EXPECT_EQ(store_.set_embedding_calls(), 3);
  const auto stored = store_.ListItems(false);
  ASSERT_TRUE(stored.ok());
  for (const auto& item : *stored) {
    EXPECT_EQ(item.embedding_model, "hashing-test");
    EXPECT_EQ(item.embedding.size(), 256u);
  }
  // Same model again: nothing to embed.
  {
    SearchService again({.refresh_interval = std::chrono::milliseconds(0), .progress = [](size_t, size_t) {}},
                        store_, std::make_unique<CountingEmbedder>(),
                        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock_), clock_);
    ASSERT_TRUE(again.Start().ok());
    EXPECT_EQ(store_.set_embedding_calls(), 3);
  }
  // Another model: everything is re-embedded, with progress.
  std::vector<std::pair<size_t, size_t>> progress;
  SearchService other({.refresh_interval = std::chrono::milliseconds(0), .embed_batch = 2,
                       .progress = [&](size_t done, size_t total) { progress.emplace_back(done, total); }},
                      store_, std::make_unique<CountingEmbedder>("other-model"),
                      std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock_), clock_);
  ASSERT_TRUE(other.Start().ok());
  EXPECT_EQ(store_.set_embedding_calls(), 6);
  EXPECT_EQ(progress, (std::vector<std::pair<size_t, size_t>>{{2, 3}, {3, 3}}));
  const auto restored = store_.ListItems(false);
  ASSERT_TRUE(restored.ok());
  for (const auto& item : *restored) EXPECT_EQ(item.embedding_model, "other-model");
  EXPECT_EQ(other.Describe().items_embedded, 3u);
}

TEST_F(SearchServiceTest, CachedAnswersSkipTheEmbedderUntilTheInventoryChanges) {
  const int before = embedder_->calls.load();
  auto first = service_->Search("budget hostel", 3, 0.0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(embedder_->calls.load(), before + 1);
  auto second = service_->Search("  Budget   HOSTEL ", 3, 0.0);  // same normalised query
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(embedder_->calls.load(), before + 1);
  EXPECT_EQ(service_->CacheStats().exact_hits, 1u);

  // Same embedding, different text: a near hit (embedded, not searched).
  auto near = service_->Search("budget, hostel!", 3, 0.0);
  ASSERT_TRUE(near.ok());
  EXPECT_EQ(*near, *first);
  EXPECT_EQ(service_->CacheStats().near_hits, 1u);

  // An inventory change makes every cached answer unreachable.
  store_.Put(MakeItem("budget_hostel_2", "Budget Hostel Two", "Another budget hostel."));
  ASSERT_TRUE(service_->Refresh().ok());
  auto after = service_->Search("budget hostel", 3, 0.0);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, *first);
  EXPECT_EQ(service_->CacheStats().exact_hits, 1u);
  EXPECT_EQ(service_->CacheStats().misses, 2u);
  EXPECT_GT(service_->CacheStats().HitRate(), 0.0);
}

TEST_F(SearchServiceTest, CachedAnswersExpire) {
  ASSERT_TRUE(service_->Search("budget hostel", 3, 0.0).ok());
  clock_.Advance(std::chrono::minutes(6));
  ASSERT_TRUE(service_->Search("budget hostel", 3, 0.0).ok());
  EXPECT_EQ(service_->CacheStats().exact_hits, 0u);
  EXPECT_EQ(service_->CacheStats().misses, 2u);
}

TEST_F(SearchServiceTest, KeepsServingWhenTheStoreIsDown) {
  store_.set_fail_list(true);
  EXPECT_EQ(service_->Refresh().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(service_->Search("hostel", 0, 0.0).ok());
}

TEST(SearchService, FailsBeforeStartAndWhenTheStoreIsDownAtStart) {
  common::FakeClock clock;
  FakeItemStore store;
  store.set_fail_list(true);
  SearchService service({.refresh_interval = std::chrono::milliseconds(0)}, store,
                        std::make_unique<HashingEmbedder>(),
                        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock), clock);
  EXPECT_EQ(service.Search("hostel", 0, 0.0).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(service.Start().code(), StatusCode::kUnavailable);
  store.set_fail_list(false);
  EXPECT_TRUE(service.Start().ok());
  EXPECT_TRUE(service.Search("hostel", 0, 0.0)->empty());  // empty inventory
}

TEST(SearchService, ThePollerPicksUpChanges) {
  FakeItemStore store;
  store.Put(MakeItem("a", "Hostel A", "A hostel."));
  SearchService service({.refresh_interval = std::chrono::milliseconds(5), .progress = [](size_t, size_t) {}},
                        store, std::make_unique<HashingEmbedder>(),
                        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{},
                                                            common::SystemClock::Instance()));
  ASSERT_TRUE(service.Start().ok());
  EXPECT_TRUE(service.Start().ok());  // idempotent
  store.Put(MakeItem("b", "Hostel B", "Another hostel."));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (service.Describe().indexed_items < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(service.Describe().indexed_items, 2u);
  service.Shutdown();
  service.Shutdown();  // idempotent
}

TEST(SearchService, ConcurrentSearchesDuringRefreshes) {
  FakeItemStore store;
  for (int i = 0; i < 50; ++i) store.Put(MakeItem("item_" + std::to_string(i), "Room " + std::to_string(i), "A room."));
  SearchService service({.refresh_interval = std::chrono::milliseconds(0), .progress = [](size_t, size_t) {}},
                        store, std::make_unique<HashingEmbedder>(),
                        std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{},
                                                            common::SystemClock::Instance()));
  ASSERT_TRUE(service.Start().ok());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      int n = 0;
      while (!done.load()) {
        auto r = service.Search("room " + std::to_string((n++ + t) % 60), 5, -1.0);
        if (!r.ok() || r->empty()) failures.fetch_add(1);
      }
    });
  }
  for (int round = 0; round < 20; ++round) {
    store.SetActive("item_" + std::to_string(round), false);
    store.Put(MakeItem("extra_" + std::to_string(round), "Extra room", "A room."));
    ASSERT_TRUE(service.Refresh().ok());
  }
  done.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(service.Describe().indexed_items, 50u);
}

TEST(SearchServiceOptionsFromConfig, MapsTheHiveConfig) {
  common::Config config;
  config.core.embedding_model = "mistral-embed";
  config.database.redis_url = "redis://cache:6379/0";
  config.data_dir = "/var/lib/aura";
  const SearchServiceOptions o = SearchServiceOptionsFromConfig(config);
  EXPECT_EQ(o.embedder.model, "mistral-embed");
  EXPECT_EQ(o.redis_url, "redis://cache:6379/0");
  // The data dir, the working directory's third_party/ and the source tree's.
  ASSERT_EQ(o.embedder.vectors_paths.size(), 3u);
  EXPECT_EQ(o.embedder.vectors_paths[0], "/var/lib/aura/word-vectors/wink-sg-100d.awv");
  EXPECT_EQ(o.default_limit, 5);
  // A configured file is tried first.
  config.core.word_vectors_path = "/opt/vectors.awv";
  const SearchServiceOptions configured = SearchServiceOptionsFromConfig(config);
  ASSERT_EQ(configured.embedder.vectors_paths.size(), 4u);
  EXPECT_EQ(configured.embedder.vectors_paths[0], "/opt/vectors.awv");
}

TEST(ItemText, IncludesNameDescriptionAndMetaStrings) {
  storage::Item item = MakeItem("x", "Hostel", "Cheap beds.");
  item.meta_json = R"({"amenities":["wifi","lockers"],"location":"Bali","stars":2})";
  EXPECT_EQ(ItemText(item), "Hostel. Cheap beds.. wifi. lockers. Bali");
  item.meta_json = "not json";
  EXPECT_EQ(ItemText(item), "Hostel. Cheap beds.");
}

}  // namespace
}  // namespace aura::core::search
