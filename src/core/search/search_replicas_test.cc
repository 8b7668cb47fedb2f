// Two core replicas on one PostgreSQL database (label integration): each runs
// its own SearchService over its own PostgresStore, and changes written
// through one must reach the other's index by polling the change cursor
// (Store::ListItemsUpdatedSince), with both agreeing on the inventory version
// so they share Semantic Nectar cache entries.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/search/hashing_embedder.h"
#include "core/search/result_cache.h"
#include "core/search/search_service.h"
#include "storage/store.h"
#include "storage/testing/postgres_test_support.h"

namespace aura::core::search {
namespace {

storage::Item MakeItem(const std::string& id, const std::string& name, const std::string& description) {
  storage::Item item;
  item.id = id;
  item.name = name;
  item.description = description;
  item.base_price = 100;
  item.floor_price = 80;
  return item;
}

struct Replica {
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<SearchService> search;

  std::vector<std::string> Ids(const std::string& query) {
    std::vector<std::string> ids;
    auto hits = search->Search(query, 10, -1.0);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    if (hits.ok()) {
      for (const SearchHit& h : *hits) ids.push_back(h.item_id);
    }
    return ids;
  }
  bool Has(const std::string& query, const std::string& id) {
    const auto ids = Ids(query);
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }
};

Replica StartReplica(const std::string& url) {
  Replica r;
  auto store = storage::MakeStore({.url = url});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return r;
  r.store = std::move(store).value();
  EXPECT_TRUE(r.store->Migrate().ok());
  const common::Clock& clock = common::SystemClock::Instance();
  r.search = std::make_unique<SearchService>(
      SearchServiceOptions{.refresh_interval = std::chrono::milliseconds(0), .progress = [](size_t, size_t) {}},
      *r.store, std::make_unique<HashingEmbedder>(),
      std::make_unique<MemoryResultCache>(MemoryResultCacheOptions{}, clock), clock);
  const Status started = r.search->Start();
  EXPECT_TRUE(started.ok()) << started.ToString();
  return r;
}

TEST(SearchReplicas, EveryReplicaSeesChangesMadeThroughAnother) {
  const std::string admin = storage::testing::RequirePostgresTestUrl();
  ASSERT_FALSE(admin.empty());
  auto db = storage::testing::TempPostgresDatabase::Create(admin);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  {
    auto seed = storage::MakeStore({.url = (*db)->url()});
    ASSERT_TRUE(seed.ok()) << seed.status().ToString();
    ASSERT_TRUE((*seed)->Migrate().ok());
    ASSERT_TRUE((*seed)
                    ->UpsertItems({MakeItem("hostel_beta", "Backpacker Hostel Beta", "A budget hostel in Bali."),
                                   MakeItem("hotel_alpha", "Grand Hotel Alpha", "A luxury hotel in Dubai."),
                                   MakeItem("ski_chalet", "Zermatt Ski Chalet", "A mountain chalet.")})
                    .ok());
  }
  Replica a = StartReplica((*db)->url());
  Replica b = StartReplica((*db)->url());
  ASSERT_TRUE(a.search && b.search);
  EXPECT_TRUE(a.Has("hotel", "hotel_alpha"));
  EXPECT_EQ(a.search->Describe().inventory_version, b.search->Describe().inventory_version);

  // Written through B: an addition, a deactivation and a change of text.
  ASSERT_TRUE(b.store
                  ->UpsertItems({MakeItem("lighthouse", "Lighthouse Cottage", "A lighthouse keeper's cottage."),
                                 [] {
                                   storage::Item off = MakeItem("hotel_alpha", "Grand Hotel Alpha",
                                                                "A luxury hotel in Dubai.");
                                   off.active = false;
                                   return off;
                                 }(),
                                 MakeItem("ski_chalet", "Zermatt Ski Chalet", "A chalet with a sauna.")})
                  .ok());
  for (Replica* r : {&a, &b}) {
    ASSERT_TRUE(r->search->Refresh().ok());
    EXPECT_TRUE(r->Has("lighthouse cottage", "lighthouse"));
    EXPECT_FALSE(r->Has("hotel", "hotel_alpha")) << "deactivated through the other replica";
    EXPECT_EQ(r->Ids("sauna").front(), "ski_chalet");
    EXPECT_EQ(r->search->Describe().indexed_items, 3u);
    EXPECT_EQ(r->search->Describe().complete_refreshes, 1u) << "polls read changes, not everything";
  }
  EXPECT_EQ(a.search->Describe().inventory_version, b.search->Describe().inventory_version);

  // Reactivated through A, seen by B; a replica started now agrees with both.
  ASSERT_TRUE(a.store->UpsertItems({MakeItem("hotel_alpha", "Grand Hotel Alpha", "A luxury hotel in Dubai.")}).ok());
  ASSERT_TRUE(b.search->Refresh().ok());
  ASSERT_TRUE(a.search->Refresh().ok());
  EXPECT_TRUE(b.Has("hotel", "hotel_alpha"));
  Replica c = StartReplica((*db)->url());
  ASSERT_TRUE(c.search);
  EXPECT_EQ(c.search->Describe().inventory_version, a.search->Describe().inventory_version);
  EXPECT_EQ(c.search->Describe().inventory_version, b.search->Describe().inventory_version);
  // Release the stores before the database is dropped.
  for (Replica* r : {&a, &b, &c}) {
    r->search.reset();
    r->store.reset();
  }
}

}  // namespace
}  // namespace aura::core::search
