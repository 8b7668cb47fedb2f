// PostgreSQL outage (label integration): a private server is stopped under a
// connected store and started again on the same port. While it is down every
// call answers UNAVAILABLE within the acquire timeout; once it is back, calls
// succeed again without a new store.
#include <gtest/gtest.h>

#include "storage/postgres/postgres_store.h"
#include "storage/testing/postgres_test_support.h"

namespace aura::storage {
namespace {

using common::StatusCode;
using std::chrono::steady_clock;

NegotiationRecord Record(const std::string& id) {
  NegotiationRecord r;
  r.request_id = id;
  r.session_token = "sess_" + id;
  r.item_id = "hotel_alpha";
  r.bid_amount = 900;
  r.currency = "USD";
  r.outcome = Outcome::kAccepted;
  r.price = 900;
  r.created_at = 1'700'000'000;
  r.valid_until = 1'700'000'600;
  return r;
}

TEST(PostgresOutage, CallsFailFastWhileDownAndRecoverWhenBack) {
  auto server = testing::PrivatePostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  constexpr auto kTimeout = std::chrono::milliseconds(1500);
  auto store = MakeStore({.url = (*server)->url(), .pool_size = 4, .acquire_timeout = kTimeout});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  ASSERT_TRUE(s.Migrate().ok());
  ASSERT_TRUE(s.UpsertItems({Item{.id = "hotel_alpha", .name = "Alpha", .base_price = 1000,
                                  .floor_price = 800}})
                  .ok());
  ASSERT_TRUE(s.InsertNegotiation(Record("before")).ok());

  ASSERT_TRUE((*server)->Stop().ok());
  // Every kind of call, several times (pooled connections are dead now, new
  // ones are refused).
  for (int round = 0; round < 3; ++round) {
    const auto start = steady_clock::now();
    EXPECT_EQ(s.FindItem("hotel_alpha").status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(s.InsertNegotiation(Record("during-" + std::to_string(round))).code(),
              StatusCode::kUnavailable);
    EXPECT_EQ(s.CountValidNegotiations(0).status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(s.Ping().code(), StatusCode::kUnavailable);
    EXPECT_EQ(s.ListItems(true).status().code(), StatusCode::kUnavailable);
    // Five calls, each bounded by the timeout (refused connections fail at once).
    EXPECT_LT(steady_clock::now() - start, 5 * kTimeout);
  }

  ASSERT_TRUE((*server)->Restart().ok());
  auto item = s.FindItem("hotel_alpha");
  EXPECT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_TRUE(s.InsertNegotiation(Record("after")).ok());
  auto count = s.CountValidNegotiations(0);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 2) << "the decision stored before the outage and the one after";
  auto found = s.FindNegotiation("before");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->has_value());
}

}  // namespace
}  // namespace aura::storage
