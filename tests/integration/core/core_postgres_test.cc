// The core on a PostgreSQL server of its own that goes away and comes back:
// Negotiate answers UNAVAILABLE within the call's deadline while the database
// is down, the health service says NOT_SERVING, and both recover by
// themselves once the database is back — no restart of the core.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "aura/negotiation/v1/negotiation.grpc.pb.h"
#include "core/core_server.h"
#include "core/testing/health_probe.h"
#include "private_postgres.h"
#include "storage/inventory_import.h"
#include "storage/store.h"

namespace aura::core {
namespace {

namespace v1 = aura::negotiation::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::HealthState;
using Steady = std::chrono::steady_clock;

class CorePostgresTest : public ::testing::Test {
 protected:
  // One server for the suite: initdb is the slow part.
  static void SetUpTestSuite() {
    auto pg = testing::PrivatePostgres::Start();
    if (pg.ok()) {
      pg_ = std::move(*pg).release();
    } else {
      start_error_ = new std::string(pg.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pg_, nullptr) << "cannot start PostgreSQL: " << (start_error_ ? *start_error_ : "");
    auto store = storage::MakeStore(
        {.url = pg_->url(), .pool_size = 4, .acquire_timeout = milliseconds(1000)});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto migrated = store_->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    ASSERT_TRUE(store_->UpsertItems(storage::LoadDemoInventory()).ok());
    auto core = CoreServer::Start({.host = "127.0.0.1",
                                   .port = 0,
                                   .worker_threads = 4,
                                   .health_check_interval = milliseconds(100)},
                                  *store_);
    ASSERT_TRUE(core.ok()) << core.status().ToString();
    core_ = std::move(*core);
    channel_ = grpc::CreateChannel(core_->dial_address(), grpc::InsecureChannelCredentials());
    stub_ = v1::NegotiationService::NewStub(channel_);
  }

  void TearDown() override {
    if (core_) core_->Shutdown(seconds(5));
    core_.reset();
    store_.reset();
  }

  grpc::Status Negotiate(const std::string& request_id, v1::NegotiateResponse& response,
                         milliseconds deadline = milliseconds(5000)) {
    v1::NegotiateRequest request;
    request.set_request_id(request_id);
    request.set_item_id("hotel_alpha");
    request.set_bid_amount(850);
    request.set_currency_code("USD");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline);
    return stub_->Negotiate(&context, request, &response);
  }

  HealthState Health() {
    auto state = testing::CheckHealth(channel_, "", milliseconds(2000));
    return state.ok() ? *state : HealthState::kUnknown;
  }

  // Polls until the health service says `want` or `limit` passes.
  bool WaitForHealth(HealthState want, Steady::duration limit) {
    auto give_up = Steady::now() + limit;
    while (Steady::now() < give_up) {
      if (Health() == want) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  static inline testing::PrivatePostgres* pg_ = nullptr;
  static inline std::string* start_error_ = nullptr;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CoreServer> core_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::NegotiationService::Stub> stub_;
};

TEST_F(CorePostgresTest, ServesDecisionsStoredInPostgres) {
  EXPECT_EQ(Health(), HealthState::kServing);
  v1::NegotiateResponse response;
  grpc::Status status = Negotiate("pg-1", response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(response.has_accepted());
  auto stored = store_->FindNegotiation("pg-1");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->reservation_code, response.accepted().reservation_code());

  v1::NegotiateResponse again;
  ASSERT_TRUE(Negotiate("pg-1", again).ok());
  EXPECT_EQ(again.SerializeAsString(), response.SerializeAsString());
}

TEST_F(CorePostgresTest, OutageIsUnavailableAndRecoversByItself) {
  v1::NegotiateResponse response;
  ASSERT_TRUE(Negotiate("before", response).ok());
  ASSERT_EQ(Health(), HealthState::kServing);

  ASSERT_TRUE(pg_->Stop().ok());
  const milliseconds deadline(5000);
  const auto start = Steady::now();
  grpc::Status down = Negotiate("during", response, deadline);
  const auto took = Steady::now() - start;
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE) << down.error_message();
  EXPECT_LT(took, deadline);
  EXPECT_TRUE(WaitForHealth(HealthState::kNotServing, seconds(10)));
  EXPECT_FALSE(core_->serving());

  ASSERT_TRUE(pg_->Restart().ok());
  EXPECT_TRUE(WaitForHealth(HealthState::kServing, seconds(15)));
  // The store reconnects by itself; allow it a few attempts.
  grpc::Status recovered;
  for (int attempt = 0; attempt < 50; ++attempt) {
    recovered = Negotiate("after-" + std::to_string(attempt), response);
    if (recovered.ok()) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(recovered.ok()) << recovered.error_message();
  EXPECT_TRUE(response.has_accepted());
}

}  // namespace
}  // namespace aura::core
