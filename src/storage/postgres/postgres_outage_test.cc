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
  ASSERT_TRUE(
      s.UpsertItems(
           {Item{.id = "hotel_alpha", .name = "Alpha", .base_price = 1000, .floor_price = 800}})
          .ok());
  ASSERT_TRUE(s.InsertNegotiation(Record("before")).ok());

  ASSERT_TRUE((*server)->Stop().ok());
  // Every kind of call, several times (pooled connections are dead now, new
  // ones are refused).
  // Every kind of call, several rounds: first the pooled connections turn out
  // dead, then new ones are refused. Each call must end within the timeout.
  auto expect_unavailable = [&](const char* what, auto&& call) {
    const auto start = steady_clock::now();
    Status status = call();
    const auto took = steady_clock::now() - start;
    EXPECT_EQ(status.code(), StatusCode::kUnavailable) << what << ": " << status.ToString();
    EXPECT_LT(took, kTimeout + std::chrono::milliseconds(500)) << what;
  };
  for (int round = 0; round < 3; ++round) {
    expect_unavailable("FindItem", [&] { return s.FindItem("hotel_alpha").status(); });
    expect_unavailable("InsertNegotiation", [&] {
      return s.InsertNegotiation(Record("during-" + std::to_string(round)));
    });
    expect_unavailable("CountValidNegotiations",
                       [&] { return s.CountValidNegotiations(0).status(); });
    expect_unavailable("Ping", [&] { return s.Ping(); });
    expect_unavailable("ListItems", [&] { return s.ListItems(true).status(); });
    expect_unavailable("UpsertItems", [&] {
      return s.UpsertItems({Item{.id = "x", .name = "X", .base_price = 2, .floor_price = 1}});
    });
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
