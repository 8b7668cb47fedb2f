#include "core/service/negotiation_service.h"

#include <gtest/gtest.h>

#include <cmath>
#include <latch>
#include <limits>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/pricing/rule_strategy.h"
#include "core/testing/fake_store.h"

namespace aura::core {
namespace {

using common::StatusCode;
using storage::Outcome;

class NegotiationServiceTest : public ::testing::Test {
 protected:
  NegotiationServiceTest() {
    store_.PutItem({.id = "hotel_alpha", .name = "Hotel Alpha", .base_price = 1000, .floor_price = 800});
    store_.PutItem({.id = "closed_inn", .name = "Closed Inn", .base_price = 500, .floor_price = 400,
                    .active = false});
  }

  common::Result<NegotiateOutput> Bid(std::string request_id, double bid,
                                      std::string item = "hotel_alpha") {
    return service_.Negotiate({.request_id = std::move(request_id),
                               .item_id = std::move(item),
                               .bid_amount = bid,
                               .agent_did = "did:key:abc"});
  }

  testing::FakeStore store_;
  common::FakeClock clock_;
  RuleStrategy rules_;
  NegotiationService service_{rules_, store_, clock_, {}};
};

TEST_F(NegotiationServiceTest, ClassicScenarios) {
  auto countered = Bid("r-1", 1.0);
  ASSERT_TRUE(countered.ok()) << countered.status().ToString();
  EXPECT_EQ(countered->record.outcome, Outcome::kCountered);
  EXPECT_EQ(countered->record.price, 800);
  EXPECT_EQ(countered->record.reason_code, "BELOW_FLOOR");
  EXPECT_EQ(countered->record.message, "We cannot accept less than $800.0.");

  auto accepted = Bid("r-2", 850);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->record.outcome, Outcome::kAccepted);
  EXPECT_EQ(accepted->record.price, 850);
  EXPECT_TRUE(std::regex_match(accepted->record.reservation_code, std::regex("MCP-[0-9A-F]{16}")));

  auto ui = Bid("r-3", 1200);
  ASSERT_TRUE(ui.ok());
  EXPECT_EQ(ui->record.outcome, Outcome::kUiRequired);
  EXPECT_EQ(ui->record.ui_template, "high_value_confirm");
  EXPECT_EQ(ui->record.ui_context.at("reason"), "Bid of $1200.0 exceeds security threshold");

  auto rejected = Bid("r-4", 850, "no_such_item");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->record.outcome, Outcome::kRejected);
  EXPECT_EQ(rejected->record.reason_code, "ITEM_NOT_FOUND");

  auto inactive = Bid("r-5", 450, "closed_inn");
  ASSERT_TRUE(inactive.ok());
  EXPECT_EQ(inactive->record.outcome, Outcome::kRejected);

  EXPECT_EQ(store_.insert_count(), 5);
}

TEST_F(NegotiationServiceTest, StoresWhoWhatAndWhen) {
  auto out = service_.Negotiate({.request_id = "r-1",
                                 .item_id = "hotel_alpha",
                                 .bid_amount = 850,
                                 .currency = "eur",
                                 .agent_did = "did:key:abc",
                                 .trace_id = "0af7651916cd43dd8448eb211c80319c"});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(store_.negotiations().size(), 1u);
  const storage::NegotiationRecord stored = store_.negotiations()[0];
  EXPECT_EQ(stored, out->record);
  EXPECT_FALSE(out->replayed);
  EXPECT_EQ(stored.session_token, "sess_r-1");
  EXPECT_EQ(stored.agent_did, "did:key:abc");
  EXPECT_EQ(stored.item_id, "hotel_alpha");
  EXPECT_EQ(stored.bid_amount, 850);
  EXPECT_EQ(stored.currency, "EUR");
  EXPECT_EQ(stored.strategy, "rule");
  EXPECT_EQ(stored.trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(stored.created_at, 1'700'000'000);
  EXPECT_EQ(stored.valid_until, 1'700'000'600);
}

TEST_F(NegotiationServiceTest, EmptyCurrencyMeansUsd) {
  auto out = Bid("r-1", 850);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->record.currency, "USD");
}

TEST_F(NegotiationServiceTest, SessionTtlIsConfigurable) {
  NegotiationService short_lived(rules_, store_, clock_, {.session_ttl = std::chrono::seconds(30)});
  auto out = short_lived.Negotiate({.request_id = "r-1", .item_id = "hotel_alpha", .bid_amount = 850});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->record.valid_until, 1'700'000'030);
}

TEST_F(NegotiationServiceTest, SameRequestIdTwiceReturnsTheStoredAnswer) {
  auto first = Bid("r-1", 850);
  ASSERT_TRUE(first.ok());
  clock_.Advance(std::chrono::seconds(5));
  // Even a different bid gets the first answer: the request_id is the key.
  auto second = Bid("r-1", 1.0);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->record, first->record);
  EXPECT_EQ(store_.insert_count(), 1);
}

TEST_F(NegotiationServiceTest, EmptyRequestIdGetsAFreshUuid) {
  auto a = Bid("", 850);
  auto b = Bid("", 850);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  const std::regex token("sess_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(a->record.session_token, token)) << a->record.session_token;
  EXPECT_NE(a->record.request_id, b->record.request_id);
  EXPECT_EQ(store_.insert_count(), 2);
}

TEST_F(NegotiationServiceTest, ConcurrentDuplicateGetsTheWinnersAnswer) {
  // Both calls pass the "already stored?" check, then meet at the insert.
  std::latch both_at_insert(2);
  store_.SetBeforeInsert([&](const storage::NegotiationRecord&) { both_at_insert.arrive_and_wait(); });
  common::Result<NegotiateOutput> a = common::InternalError("unset");
  common::Result<NegotiateOutput> b = common::InternalError("unset");
  std::thread ta([&] { a = Bid("dup", 850); });
  std::thread tb([&] { b = Bid("dup", 850); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->record, b->record);  // same reservation code for both callers
  EXPECT_NE(a->replayed, b->replayed);
  EXPECT_EQ(store_.insert_count(), 1);
}

TEST_F(NegotiationServiceTest, ManyConcurrentDuplicatesStoreOnce) {
  constexpr int kThreads = 8;
  std::vector<common::Result<NegotiateOutput>> results(kThreads, common::InternalError("unset"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back([&, i] { results[i] = Bid("same", 900); });
  for (auto& t : threads) t.join();
  std::set<std::string> codes;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    codes.insert(r->record.reservation_code);
  }
  EXPECT_EQ(codes.size(), 1u);
  EXPECT_EQ(store_.insert_count(), 1);
}

TEST_F(NegotiationServiceTest, InvalidBidsStoreNothing) {
  for (double bid : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    auto out = Bid("bad", bid);
    ASSERT_FALSE(out.ok()) << bid;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find("bid_amount"), std::string::npos);
  }
  EXPECT_TRUE(store_.negotiations().empty());
}

TEST_F(NegotiationServiceTest, InvalidItemIdsStoreNothing) {
  for (const std::string& item : {std::string(), std::string(4096, 'x')}) {
    auto out = Bid("bad", 850, item);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find("item_id"), std::string::npos);
  }
  auto longest = Bid("ok", 850, std::string(256, 'x'));
  ASSERT_TRUE(longest.ok());  // 256 bytes is allowed (and unknown)
  EXPECT_EQ(longest->record.outcome, Outcome::kRejected);
  EXPECT_EQ(store_.insert_count(), 1);
}

TEST_F(NegotiationServiceTest, InvalidCurrenciesStoreNothing) {
  for (const char* currency : {"US", "usd1", "12$", "U$D", "EURO"}) {
    auto out = service_.Negotiate(
        {.request_id = "bad", .item_id = "hotel_alpha", .bid_amount = 850, .currency = currency});
    ASSERT_FALSE(out.ok()) << currency;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find("currency_code"), std::string::npos);
  }
  EXPECT_TRUE(store_.negotiations().empty());
}

TEST_F(NegotiationServiceTest, OverlongRequestIdIsInvalid) {
  auto out = Bid(std::string(257, 'r'), 850);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_.negotiations().empty());
}

TEST_F(NegotiationServiceTest, StorageDownIsUnavailable) {
  store_.SetUnavailable(true);
  auto out = Bid("r-1", 850);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  store_.SetUnavailable(false);
  EXPECT_TRUE(store_.negotiations().empty());
  auto again = Bid("r-1", 850);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->replayed);
}

TEST_F(NegotiationServiceTest, FailedInsertIsUnavailableAndAnswersNothing) {
  store_.SetBeforeInsert([&](const storage::NegotiationRecord&) { store_.SetUnavailable(true); });
  auto out = Bid("r-1", 850);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
}

class FailingStrategy final : public PricingStrategy {
 public:
  std::string Name() const override { return "failing"; }
  common::Result<PricingDecision> Decide(const PricingRequest&) override {
    return common::UnavailableError("model down");
  }
};

TEST_F(NegotiationServiceTest, StrategyErrorPassesThroughAndStoresNothing) {
  FailingStrategy failing;
  NegotiationService service(failing, store_, clock_, {});
  auto out = service.Negotiate({.request_id = "r-1", .item_id = "hotel_alpha", .bid_amount = 850});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status(), common::UnavailableError("model down"));
  EXPECT_TRUE(store_.negotiations().empty());
}

TEST_F(NegotiationServiceTest, CheckDealStatusCodes) {
  EXPECT_EQ(service_.CheckDealStatus("nope").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.CheckDealStatus("").code(), StatusCode::kInvalidArgument);
  common::Status s = service_.CheckDealStatus("3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a12");
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(s.message(), "Crypto payments not enabled");
}

TEST_F(NegotiationServiceTest, SearchIsUnimplementedWithoutASearchFunction) {
  auto hits = service_.Search({.query = "quiet hotel"});
  ASSERT_FALSE(hits.ok());
  EXPECT_EQ(hits.status().code(), StatusCode::kUnimplemented);
}

TEST_F(NegotiationServiceTest, SearchAsksThePluggedInFunction) {
  NegotiationServiceOptions options;
  options.search = [](const SearchQuery& q) -> common::Result<std::vector<SearchHit>> {
    if (q.query.empty()) return common::InvalidArgumentError("query must not be empty");
    return std::vector<SearchHit>{{.item_id = "hotel_alpha", .similarity_score = 0.9}};
  };
  NegotiationService service(rules_, store_, clock_, options);
  auto hits = service.Search({.query = "hotel", .limit = 3});
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].item_id, "hotel_alpha");
  EXPECT_EQ(service.Search({}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(NegotiationServiceTest, SystemStatusFromThisProcessByDefault) {
  SystemStatus s = service_.GetSystemStatus();
  EXPECT_EQ(s.status, "ok");
  EXPECT_FALSE(s.cached);
  EXPECT_GE(s.cpu_usage_percent, 0);
  EXPECT_GT(s.memory_usage_mb, 0);
  EXPECT_EQ(s.timestamp, "2023-11-14T22:13:20.000000Z");
}

class CannedStatus final : public SystemStatusSource {
 public:
  SystemStatus Get() override {
    return {.status = "ok", .cpu_usage_percent = 12.5, .memory_usage_mb = 64, .timestamp = "t", .cached = true};
  }
  std::string Kind() const override { return "canned"; }
};

TEST_F(NegotiationServiceTest, SystemStatusFromTheConfiguredSource) {
  CannedStatus canned;
  NegotiationService service(rules_, store_, clock_, {.system_status = &canned});
  SystemStatus s = service.GetSystemStatus();
  EXPECT_EQ(s.cpu_usage_percent, 12.5);
  EXPECT_TRUE(s.cached);
}

}  // namespace
}  // namespace aura::core
