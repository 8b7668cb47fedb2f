// The cases of StoreContractTest; compiled into every test binary that
// instantiates the suite (see store_contract.h).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "storage/migrations/migrations.h"
#include "storage/testing/store_contract.h"

namespace aura::storage::testing {
namespace {

using common::StatusCode;

constexpr int64_t kStart = 1'700'000'000;

Item MakeItem(const std::string& id, double base = 100, double floor = 80) {
  Item item;
  item.id = id;
  item.name = "Item " + id;
  item.description = "A place called " + id;
  item.base_price = base;
  item.floor_price = floor;
  item.meta_json = R"({"location":"Lisbon","stars":3})";
  return item;
}

NegotiationRecord MakeRecord(const std::string& request_id, int64_t valid_until = kStart + 600) {
  NegotiationRecord r;
  r.request_id = request_id;
  r.session_token = "sess_" + request_id;
  r.agent_did = "did:key:" + std::string(64, 'a');
  r.item_id = "hotel_alpha";
  r.bid_amount = 850.25;
  r.currency = "USD";
  r.outcome = Outcome::kAccepted;
  r.price = 850.25;
  r.reservation_code = "MCP-" + request_id;
  r.strategy = "rule";
  r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  r.created_at = kStart;
  r.valid_until = valid_until;
  return r;
}

// Who a test thread is calling as; StoreOptions::capture_caller carries it to
// work done on another thread for that caller.
thread_local int t_caller = 0;

// A fresh migrated store per test, on a fake clock.
class Fixture {
 public:
  explicit Fixture(const StoreBackend& backend)
      : clock_(std::chrono::system_clock::time_point(std::chrono::seconds(kStart))) {
    StoreOptions options;
    options.clock = &clock_;
    options.statement_observer = [this](const StatementEvent& e) {
      std::lock_guard lock(mu_);
      seen_.insert(std::string(e.name) + "|" + std::string(e.operation) + "|" +
                   std::string(e.table) + "|" + std::string(e.db_system));
      if (e.name == "negotiations.insert") insert_callers_.push_back(t_caller);
    };
    options.capture_caller = [] {
      return RunAsCaller([caller = t_caller](const std::function<void()>& work) {
        const int outer = std::exchange(t_caller, caller);
        work();
        t_caller = outer;
      });
    };
    harness_ = backend.make(options);
  }
  ~Fixture() {
    harness_.store.reset();
    if (harness_.cleanup) harness_.cleanup();
  }
  Store& store() { return *harness_.store; }
  bool ok() const { return harness_.store != nullptr; }
  common::FakeClock& clock() { return clock_; }
  const StoreHarness& harness() const { return harness_; }
  bool Saw(const std::string& entry) {
    std::lock_guard lock(mu_);
    return seen_.contains(entry);
  }
  // t_caller as each negotiations.insert event saw it, in order.
  std::vector<int> InsertCallers() {
    std::lock_guard lock(mu_);
    return insert_callers_;
  }

 private:
  common::FakeClock clock_;
  StoreHarness harness_;
  std::mutex mu_;
  std::set<std::string> seen_;
  std::vector<int> insert_callers_;
};

#define AURA_FIXTURE(f)                                         \
  Fixture f(GetParam());                                        \
  ASSERT_TRUE(f.ok()) << "no store";                            \
  {                                                             \
    auto migrated = f.store().Migrate();                        \
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString(); \
  }

TEST_P(StoreContractTest, PingAnswersAndBackendIsNamed) {
  AURA_FIXTURE(f);
  EXPECT_TRUE(f.store().Ping().ok());
  const std::string backend = f.store().Backend();
  EXPECT_TRUE(backend == "memory" || backend == "sqlite" || backend == "postgresql") << backend;
}

TEST_P(StoreContractTest, MigrateTwiceIsIdempotent) {
  AURA_FIXTURE(f);
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("a")}).ok());
  auto again = f.store().Migrate();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, LatestSchemaVersion());
  auto third = f.store().Migrate();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, LatestSchemaVersion());
  EXPECT_TRUE(f.store().FindItem("a").ok()) << "migrating again must keep the data";
}

TEST_P(StoreContractTest, UpsertInsertsThenUpdatesAndKeepsCreatedAt) {
  AURA_FIXTURE(f);
  Item item = MakeItem("villa");
  item.meta_json = R"({ "stars": 4, "location": "Bali", "tags": ["pool", "quiet"] })";
  ASSERT_TRUE(f.store().UpsertItems({item}).ok());
  auto first = f.store().FindItem("villa");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->name, "Item villa");
  EXPECT_EQ(first->base_price, 100);
  EXPECT_EQ(first->floor_price, 80);
  EXPECT_TRUE(first->active);
  EXPECT_EQ(first->meta_json, R"({"location":"Bali","stars":4,"tags":["pool","quiet"]})");
  EXPECT_EQ(first->created_at, kStart);
  EXPECT_EQ(first->updated_at, kStart);

  f.clock().Advance(std::chrono::seconds(100));
  item.name = "Renamed villa";
  item.base_price = 120.5;
  item.floor_price = 99.75;
  item.active = false;
  item.meta_json = "{}";
  ASSERT_TRUE(f.store().UpsertItems({item}).ok());
  auto second = f.store().FindItem("villa");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->name, "Renamed villa");
  EXPECT_EQ(second->base_price, 120.5);
  EXPECT_EQ(second->floor_price, 99.75);
  EXPECT_FALSE(second->active);
  EXPECT_EQ(second->meta_json, "{}");
  EXPECT_EQ(second->created_at, kStart) << "created_at must survive an update";
  EXPECT_EQ(second->updated_at, kStart + 100);
  auto all = f.store().ListItems(false);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(StoreContractTest, UpsertWithOneBadItemWritesNothing) {
  AURA_FIXTURE(f);
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("keep", 100, 50)}).ok());
  Item changed = MakeItem("keep", 200, 150);
  Item fresh = MakeItem("fresh");
  Item bad = MakeItem("bad", 100, 150);  // floor above base
  Status s = f.store().UpsertItems({changed, fresh, bad});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("item 3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("bad"), std::string::npos) << s.message();
  auto keep = f.store().FindItem("keep");
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(keep->base_price, 100) << "the earlier item of the batch must not be written";
  EXPECT_EQ(f.store().FindItem("fresh").status().code(), StatusCode::kNotFound);

  for (Item broken : {MakeItem(""), MakeItem("x", 0, 0), MakeItem("x", 100, -1),
                      MakeItem(std::string(257, 'x')), MakeItem("x", std::nan(""), 1)}) {
    EXPECT_EQ(f.store().UpsertItems({broken}).code(), StatusCode::kInvalidArgument)
        << broken.id.substr(0, 10);
  }
  Item bad_meta = MakeItem("x");
  bad_meta.meta_json = "[1,2]";
  EXPECT_EQ(f.store().UpsertItems({bad_meta}).code(), StatusCode::kInvalidArgument);
  Item no_name = MakeItem("x");
  no_name.name.clear();
  EXPECT_EQ(f.store().UpsertItems({no_name}).code(), StatusCode::kInvalidArgument);
  auto all = f.store().ListItems(false);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(SqlStoreContractTest, SchemaRejectsFloorAboveBaseOnDirectWrite) {
  AURA_FIXTURE(f);
  ASSERT_TRUE(f.harness().exec_sql);
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("ok", 100, 80)}).ok());
  const std::string ts = f.store().Backend() == "postgresql" ? "now()" : "0";
  Status insert = f.harness().exec_sql(
      "INSERT INTO items (id, name, description, base_price, floor_price, meta, created_at, "
      "updated_at) VALUES ('direct', 'Direct', '', 100, 150, '{}', " +
      ts + ", " + ts + ")");
  EXPECT_FALSE(insert.ok()) << "a row with floor_price > base_price must not be accepted";
  Status update = f.harness().exec_sql("UPDATE items SET floor_price = 500 WHERE id = 'ok'");
  EXPECT_FALSE(update.ok());
  Status zero = f.harness().exec_sql("UPDATE items SET base_price = 0 WHERE id = 'ok'");
  EXPECT_FALSE(zero.ok());
  auto item = f.store().FindItem("ok");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->floor_price, 80);
  EXPECT_EQ(f.store().FindItem("direct").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, FindItemMissingIsNotFound) {
  AURA_FIXTURE(f);
  auto missing = f.store().FindItem("no_such_item");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no_such_item"), std::string::npos);
}

TEST_P(StoreContractTest, ListItemsOrdersByIdAndFiltersActive) {
  AURA_FIXTURE(f);
  Item c = MakeItem("c");
  Item a = MakeItem("a");
  Item b = MakeItem("b");
  b.active = false;
  Item upper = MakeItem("B_upper");
  ASSERT_TRUE(f.store().UpsertItems({c, a, b, upper}).ok());
  auto all = f.store().ListItems(false);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> ids;
  for (const Item& i : *all) ids.push_back(i.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"B_upper", "a", "b", "c"}));
  auto active = f.store().ListItems(true);
  ASSERT_TRUE(active.ok());
  ids.clear();
  for (const Item& i : *active) ids.push_back(i.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"B_upper", "a", "c"}));
}

TEST_P(StoreContractTest, EmbeddingIsStoredAndKeptWhileTheTextIsUnchanged) {
  AURA_FIXTURE(f);
  Item item = MakeItem("e");
  ASSERT_TRUE(f.store().UpsertItems({item}).ok());
  const std::vector<float> vec = {0.5f, -1.25f, 3.0e-8f, 42.0f};
  ASSERT_TRUE(f.store().SetEmbedding("e", vec, "local-100d").ok());
  auto stored = f.store().FindItem("e");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->embedding, vec);
  EXPECT_EQ(stored->embedding_model, "local-100d");

  item.base_price = 150;  // text unchanged: the embedding stays
  ASSERT_TRUE(f.store().UpsertItems({item}).ok());
  EXPECT_EQ(f.store().FindItem("e")->embedding, vec);

  item.description = "Now with a pool";  // text changed: the stale embedding goes
  ASSERT_TRUE(f.store().UpsertItems({item}).ok());
  auto changed = f.store().FindItem("e");
  EXPECT_TRUE(changed->embedding.empty());
  EXPECT_EQ(changed->embedding_model, "");

  item.embedding = {1.0f, 2.0f};  // given with the item: stored as given
  item.embedding_model = "m2";
  ASSERT_TRUE(f.store().UpsertItems({item}).ok());
  EXPECT_EQ(f.store().FindItem("e")->embedding, item.embedding);
  EXPECT_EQ(f.store().FindItem("e")->embedding_model, "m2");

  EXPECT_EQ(f.store().SetEmbedding("missing", vec, "m").code(), StatusCode::kNotFound);
}

// Ids of the items, in the order given.
std::vector<std::string> IdsOf(const std::vector<Item>& items) {
  std::vector<std::string> ids;
  for (const Item& i : items) ids.push_back(i.id);
  return ids;
}

// PostgreSQL may repeat items whose writing transaction was not yet below the
// cluster-wide horizon (another test's transaction can hold it back), which the
// contract allows; the other backends return exactly the writes since the cursor.
bool ExactChanges(Store& store) { return store.Backend() != "postgresql"; }

TEST_P(StoreContractTest, ListItemsUpdatedSinceFollowsAdditionsUpdatesAndDeactivations) {
  AURA_FIXTURE(f);
  auto empty = f.store().ListItemsUpdatedSince(0);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->items.empty());
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("c"), MakeItem("a"), MakeItem("b")}).ok());

  auto all = f.store().ListItemsUpdatedSince(empty->next_cursor);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(IdsOf(all->items), (std::vector<std::string>{"a", "b", "c"})) << "ordered by id";
  EXPECT_EQ(all->items, *f.store().ListItems(false)) << "whole items, as ListItems has them";
  auto from_zero = f.store().ListItemsUpdatedSince(0);
  ASSERT_TRUE(from_zero.ok());
  EXPECT_EQ(IdsOf(from_zero->items), (std::vector<std::string>{"a", "b", "c"})) << "0 = everything";

  // Nothing written: nothing new (PostgreSQL may repeat unchanged items).
  auto idle = f.store().ListItemsUpdatedSince(all->next_cursor);
  ASSERT_TRUE(idle.ok());
  if (ExactChanges(f.store())) {
    EXPECT_TRUE(idle->items.empty()) << ::testing::PrintToString(IdsOf(idle->items));
  }
  for (const Item& item : idle->items) EXPECT_EQ(item, *f.store().FindItem(item.id));

  // An update, a deactivation and an addition, all in the same second as the
  // first writes (the cursor must not depend on timestamps).
  Item renamed = MakeItem("a");
  renamed.name = "Renamed a";
  Item deactivated = MakeItem("b");
  deactivated.active = false;
  ASSERT_TRUE(f.store().UpsertItems({renamed, deactivated, MakeItem("d")}).ok());
  auto changed = f.store().ListItemsUpdatedSince(idle->next_cursor);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  if (ExactChanges(f.store())) {
    EXPECT_EQ(IdsOf(changed->items), (std::vector<std::string>{"a", "b", "d"}));
  }
  std::map<std::string, Item> by_id;
  for (const Item& item : changed->items) by_id[item.id] = item;
  ASSERT_TRUE(by_id.contains("a") && by_id.contains("b") && by_id.contains("d"));
  EXPECT_EQ(by_id["a"].name, "Renamed a");
  EXPECT_FALSE(by_id["b"].active) << "deactivated items are reported, inactive";
  EXPECT_EQ(by_id["d"].updated_at, kStart);

  // Only what was written after the cursor: a, not the others.
  f.clock().Advance(std::chrono::seconds(5));
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("a")}).ok());
  auto again = f.store().ListItemsUpdatedSince(changed->next_cursor);
  ASSERT_TRUE(again.ok());
  if (ExactChanges(f.store())) {
    EXPECT_EQ(IdsOf(again->items), std::vector<std::string>{"a"});
  }
  bool saw_a = false;
  for (const Item& item : again->items) {
    if (item.id != "a") continue;
    saw_a = true;
    EXPECT_EQ(item.name, "Item a");
    EXPECT_EQ(item.updated_at, kStart + 5);
  }
  EXPECT_TRUE(saw_a);
}

TEST_P(StoreContractTest, ListItemsUpdatedSinceIgnoresEmbeddingsAndSurvivesMigrate) {
  AURA_FIXTURE(f);
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("a"), MakeItem("b")}).ok());
  auto first = f.store().ListItemsUpdatedSince(0);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(f.store().SetEmbedding("a", {1.0f, 0.0f}, "m").ok());
  ASSERT_TRUE(f.store().Migrate().ok());
  auto after = f.store().ListItemsUpdatedSince(first->next_cursor);
  ASSERT_TRUE(after.ok());
  if (ExactChanges(f.store())) {
    EXPECT_TRUE(after->items.empty()) << "storing an embedding is bookkeeping, not a change";
  }
  // Cursors keep their meaning: a later write is seen from the old cursor.
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("b", 200, 150)}).ok());
  auto later = f.store().ListItemsUpdatedSince(first->next_cursor);
  ASSERT_TRUE(later.ok());
  bool saw_b = false;
  for (const Item& item : later->items) saw_b |= item.id == "b" && item.base_price == 200;
  EXPECT_TRUE(saw_b);
}

TEST_P(StoreContractTest, ListItemsUpdatedSinceMissesNoConcurrentWrite) {
  AURA_FIXTURE(f);
  // Writers upsert while a poller follows the cursor; when they are done, one
  // more poll must leave the poller holding exactly what the store holds.
  constexpr int kWriters = 4;
  constexpr int kWrites = 30;
  std::atomic<bool> done{false};
  std::map<std::string, Item> seen;
  int64_t cursor = 0;
  int polls = 0;
  Status poll_error;
  auto poll = [&] {
    auto changes = f.store().ListItemsUpdatedSince(cursor);
    if (!changes.ok()) {
      poll_error = changes.status();
      return;
    }
    for (Item& item : changes->items) seen[item.id] = std::move(item);
    cursor = changes->next_cursor;
    ++polls;
  };
  std::thread poller([&] {
    while (!done.load() && poll_error.ok()) poll();
  });
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kWrites; ++i) {
        Item item = MakeItem("w" + std::to_string(w) + "_" + std::to_string(i % 7));
        item.base_price = 100 + i;
        item.active = i % 3 != 0;
        if (!f.store().UpsertItems({item}).ok()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  done.store(true);
  poller.join();
  ASSERT_TRUE(poll_error.ok()) << poll_error.ToString();
  EXPECT_EQ(failures.load(), 0);
  poll();
  auto truth = f.store().ListItems(false);
  ASSERT_TRUE(truth.ok());
  std::vector<Item> held;
  for (auto& [id, item] : seen) held.push_back(item);
  EXPECT_EQ(held, *truth) << "after " << polls << " polls";
}

TEST_P(StoreContractTest, NegotiationRoundTripKeepsEveryField) {
  AURA_FIXTURE(f);
  NegotiationRecord r = MakeRecord("req-round-trip");
  r.outcome = Outcome::kUiRequired;
  r.bid_amount = 1234.5678901234;
  r.price = 0.1 + 0.2;  // not representable in short decimal form
  r.reason_code = "HIGH_VALUE";
  r.message = "Ünïcödé \"quotes\" and\nnewlines";
  r.ui_template = "high_value_confirm";
  r.ui_context = {{"reason", "Bid of $1234.57 exceeds security threshold"}, {"emoji", "🏨"}};
  r.strategy = "mistral/mistral-large-latest";
  ASSERT_TRUE(f.store().InsertNegotiation(r).ok());
  auto found = f.store().FindNegotiation("req-round-trip");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, r);

  for (Outcome o : {Outcome::kAccepted, Outcome::kCountered, Outcome::kRejected}) {
    NegotiationRecord other = MakeRecord(std::string("req-") + OutcomeName(o));
    other.outcome = o;
    other.trace_id = "";
    ASSERT_TRUE(f.store().InsertNegotiation(other).ok());
    EXPECT_EQ(*f.store().FindNegotiation(other.request_id).value(), other);
  }

  auto missing = f.store().FindNegotiation("req-missing");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(f.store().InsertNegotiation(MakeRecord("")).code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, DuplicateRequestIdIsAlreadyExists) {
  AURA_FIXTURE(f);
  NegotiationRecord first = MakeRecord("req-dup");
  ASSERT_TRUE(f.store().InsertNegotiation(first).ok());
  NegotiationRecord second = MakeRecord("req-dup");
  second.outcome = Outcome::kRejected;
  second.price = 0;
  Status s = f.store().InsertNegotiation(second);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(*f.store().FindNegotiation("req-dup").value(), first) << "the first decision stays";
}

TEST_P(StoreContractTest, CountValidNegotiationsCountsUnexpiredSessions) {
  AURA_FIXTURE(f);
  auto none = f.store().CountValidNegotiations(kStart);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  ASSERT_TRUE(f.store().InsertNegotiation(MakeRecord("r1", kStart + 10)).ok());
  ASSERT_TRUE(f.store().InsertNegotiation(MakeRecord("r2", kStart + 600)).ok());
  ASSERT_TRUE(f.store().InsertNegotiation(MakeRecord("r3", kStart - 1)).ok());
  EXPECT_EQ(*f.store().CountValidNegotiations(kStart), 2);
  EXPECT_EQ(*f.store().CountValidNegotiations(kStart + 10), 1) << "valid_until is exclusive";
  EXPECT_EQ(*f.store().CountValidNegotiations(kStart + 600), 0);
  EXPECT_EQ(*f.store().CountValidNegotiations(kStart - 100), 3);
}

TEST_P(StoreContractTest, ConcurrentInsertsFromSeveralThreads) {
  AURA_FIXTURE(f);
  ASSERT_TRUE(f.store().UpsertItems({MakeItem("hotel_alpha", 1000, 800)}).ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::atomic<int> race_wins{0};
  std::atomic<int> race_losses{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!f.store()
                 .InsertNegotiation(MakeRecord("t" + std::to_string(t) + "-" + std::to_string(i)))
                 .ok()) {
          ++failures;
        }
        if (!f.store().FindItem("hotel_alpha").ok()) ++failures;
        // Every thread races for the same request ids: exactly one may win each.
        Status s = f.store().InsertNegotiation(MakeRecord("shared-" + std::to_string(i)));
        if (s.ok()) {
          ++race_wins;
        } else if (s.code() == StatusCode::kAlreadyExists) {
          ++race_losses;
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(race_wins.load(), kPerThread);
  EXPECT_EQ(race_losses.load(), kPerThread * (kThreads - 1));
  auto count = f.store().CountValidNegotiations(kStart);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kThreads * kPerThread + kPerThread);
}

TEST_P(SqlStoreContractTest, EveryStatementIsReportedWithItsName) {
  AURA_FIXTURE(f);
  ASSERT_TRUE(f.store().InsertNegotiation(MakeRecord("req-observed")).ok());
  ASSERT_TRUE(f.store().FindNegotiation("req-observed").ok());
  const std::string system = f.store().Backend();
  EXPECT_TRUE(f.Saw("negotiations.insert|INSERT|negotiations|" + system));
  EXPECT_TRUE(f.Saw("negotiations.find|SELECT|negotiations|" + system));
}

// SQLite's group commit runs concurrent callers' INSERTs on one thread; each
// statement event must still be reported in its own caller's context.
TEST_P(SqlStoreContractTest, EachInsertIsReportedInItsCallersContext) {
  AURA_FIXTURE(f);
  constexpr int kThreads = 8, kPerThread = 10;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        t_caller = t * 100 + i + 1;
        EXPECT_TRUE(f.store().InsertNegotiation(MakeRecord("req-ctx-" + std::to_string(t_caller))).ok());
      }
      t_caller = 0;
    });
  }
  for (auto& th : threads) th.join();
  std::vector<int> seen = f.InsertCallers();
  std::sort(seen.begin(), seen.end());
  std::vector<int> expected;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) expected.push_back(t * 100 + i + 1);
  }
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace aura::storage::testing
