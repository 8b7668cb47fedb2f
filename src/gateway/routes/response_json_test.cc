#include "gateway/routes/response_json.h"

#include <gtest/gtest.h>

namespace aura::gateway {
namespace {

namespace pb = ::aura::negotiation::v1;

TEST(NegotiateJson, WritesEachOutcomeInTheClientsShape) {
  pb::NegotiateResponse r;
  r.set_session_token("sess_1");
  r.set_valid_until_timestamp(1700000600);
  r.mutable_accepted()->set_final_price(850.0);
  r.mutable_accepted()->set_reservation_code("RES-1");
  EXPECT_EQ(NegotiateJson(r),
            R"({"session_token":"sess_1","status":"accepted","valid_until":1700000600,)"
            R"("payment_required":false,"data":{"final_price":850.0,"reservation_code":"RES-1"}})");

  r.mutable_countered()->set_proposed_price(800.0);
  r.mutable_countered()->set_reason_code("BELOW_FLOOR");
  r.mutable_countered()->set_human_message("We cannot accept less than $800.0.");
  EXPECT_EQ(NegotiateJson(r),
            R"({"session_token":"sess_1","status":"countered","valid_until":1700000600,)"
            R"("data":{"proposed_price":800.0,"message":"We cannot accept less than $800.0.",)"
            R"("reason_code":"BELOW_FLOOR"}})");

  r.mutable_rejected()->set_reason_code("ITEM_NOT_FOUND");
  EXPECT_EQ(NegotiateJson(r),
            R"({"session_token":"sess_1","status":"rejected","valid_until":1700000600,)"
            R"("data":{"reason_code":"ITEM_NOT_FOUND"}})");

  r.mutable_ui_required()->set_template_id("high_value_confirm");
  (*r.mutable_ui_required()->mutable_context_data())["reason"] = "Bid of $1200.0 exceeds";
  EXPECT_EQ(NegotiateJson(r),
            R"({"session_token":"sess_1","status":"ui_required","valid_until":1700000600,)"
            R"("action_required":{"template":"high_value_confirm","context":{"reason":"Bid of $1200.0 exceeds"}}})");
}

TEST(SearchJson, RoundsScoresToFourPlaces) {
  pb::SearchResponse r;
  auto* item = r.add_results();
  item->set_item_id("hotel_alpha");
  item->set_name("Hotel Alpha");
  item->set_base_price(1000.0);
  item->set_similarity_score(0.876543);
  item->set_description_snippet("Sea view");
  EXPECT_EQ(SearchJson(r),
            R"({"results":[{"id":"hotel_alpha","name":"Hotel Alpha","price":1000.0,)"
            R"("score":0.8765,"details":"Sea view"}]})");
}

TEST(SystemStatusJson, WritesAllFields) {
  pb::GetSystemStatusResponse r;
  r.set_status("ok");
  r.set_cpu_usage_percent(12.5);
  r.set_memory_usage_mb(64);
  r.set_timestamp("2026-01-01T00:00:00Z");
  r.set_cached(true);
  EXPECT_EQ(SystemStatusJson(r),
            R"({"status":"ok","cpu_usage_percent":12.5,"memory_usage_mb":64.0,)"
            R"("timestamp":"2026-01-01T00:00:00Z","cached":true})");
}

}  // namespace
}  // namespace aura::gateway
