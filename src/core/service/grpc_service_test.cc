// The core over real gRPC: a CoreServer on a loopback port chosen by the
// system, called through the generated stub.
#include "core/service/grpc_service.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "aura/negotiation/v1/negotiation.grpc.pb.h"
#include "common/log/log.h"
#include "common/log/testing/log_capture.h"
#include "core/core_server.h"
#include "core/testing/fake_store.h"
#include "core/testing/health_probe.h"

namespace aura::core {
namespace {

namespace v1 = aura::negotiation::v1;
using std::chrono::milliseconds;
using testing::HealthState;

// Collects log lines so tests can check what a call logged.

class GrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.PutItem({.id = "hotel_alpha", .name = "Hotel Alpha", .base_price = 1000, .floor_price = 800});
    StartCore({});
  }

  void StartCore(CoreServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.health_check_interval = milliseconds(20);
    auto core = CoreServer::Start(options, store_);
    ASSERT_TRUE(core.ok()) << core.status().ToString();
    core_ = std::move(*core);
    channel_ = grpc::CreateChannel(core_->dial_address(), grpc::InsecureChannelCredentials());
    stub_ = v1::NegotiationService::NewStub(channel_);
  }

  grpc::Status Negotiate(const std::string& request_id, double bid, v1::NegotiateResponse& response,
                         const std::string& item = "hotel_alpha", const std::string& currency = "USD") {
    v1::NegotiateRequest request;
    request.set_request_id(request_id);
    request.set_item_id(item);
    request.set_bid_amount(bid);
    request.set_currency_code(currency);
    request.mutable_agent()->set_did("did:key:test");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    context.AddMetadata("x-request-id", "rid-" + request_id);
    return stub_->Negotiate(&context, request, &response);
  }

  HealthState Health(const std::string& service = "") {
    auto state = testing::CheckHealth(channel_, service, milliseconds(2000));
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *state : HealthState::kUnknown;
  }

  // Polls the health service until it reports `want` (the checker pings
  // every 20 ms) or five seconds pass.
  bool WaitForHealth(HealthState want) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < give_up) {
      if (Health() == want) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }

  testing::FakeStore store_;
  std::unique_ptr<CoreServer> core_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::NegotiationService::Stub> stub_;
};

TEST_F(GrpcServiceTest, BidBelowFloorIsCountered) {
  v1::NegotiateResponse response;
  grpc::Status status = Negotiate("low", 1.0, response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(response.has_countered());
  EXPECT_EQ(response.countered().proposed_price(), 800.0);
  EXPECT_EQ(response.countered().reason_code(), "BELOW_FLOOR");
  EXPECT_EQ(response.countered().human_message(), "We cannot accept less than $800.0.");
  EXPECT_EQ(response.session_token(), "sess_low");
}

TEST_F(GrpcServiceTest, FairBidIsAcceptedWithAReservationCode) {
  const int64_t before = common::SystemClock::Instance().NowUnixSeconds();
  v1::NegotiateResponse response;
  ASSERT_TRUE(Negotiate("fair", 850, response).ok());
  ASSERT_TRUE(response.has_accepted());
  EXPECT_EQ(response.accepted().final_price(), 850.0);
  EXPECT_TRUE(std::regex_match(response.accepted().reservation_code(), std::regex("MCP-[0-9A-F]{16}")));
  EXPECT_EQ(response.session_token(), "sess_fair");
  EXPECT_GE(response.valid_until_timestamp(), before + 600);
  EXPECT_LE(response.valid_until_timestamp(), common::SystemClock::Instance().NowUnixSeconds() + 600);
}

TEST_F(GrpcServiceTest, HighBidNeedsUi) {
  v1::NegotiateResponse response;
  ASSERT_TRUE(Negotiate("high", 1200, response).ok());
  ASSERT_TRUE(response.has_ui_required());
  EXPECT_EQ(response.ui_required().template_id(), "high_value_confirm");
  EXPECT_EQ(response.ui_required().context_data().at("reason"),
            "Bid of $1200.0 exceeds security threshold");
}

TEST_F(GrpcServiceTest, UnknownItemIsRejected) {
  v1::NegotiateResponse response;
  ASSERT_TRUE(Negotiate("unknown", 850, response, "no_such_item").ok());
  ASSERT_TRUE(response.has_rejected());
  EXPECT_EQ(response.rejected().reason_code(), "ITEM_NOT_FOUND");
}

TEST_F(GrpcServiceTest, RepeatedRequestIdGetsTheSameAnswer) {
  v1::NegotiateResponse first, second;
  ASSERT_TRUE(Negotiate("twice", 850, first).ok());
  ASSERT_TRUE(Negotiate("twice", 900, second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(store_.insert_count(), 1);
}

TEST_F(GrpcServiceTest, InvalidInputIsInvalidArgument) {
  v1::NegotiateResponse response;
  EXPECT_EQ(Negotiate("zero", 0, response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Negotiate("cur", 850, response, "hotel_alpha", "usd1").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Negotiate("item", 850, response, "").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(store_.negotiations().empty());
}

TEST_F(GrpcServiceTest, StorageDownIsUnavailableAndNotServing) {
  ASSERT_EQ(Health(), HealthState::kServing);
  store_.SetUnavailable(true);
  v1::NegotiateResponse response;
  EXPECT_EQ(Negotiate("down", 850, response).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(WaitForHealth(HealthState::kNotServing));
  EXPECT_EQ(Health(kNegotiationServiceName), HealthState::kNotServing);
  EXPECT_FALSE(core_->serving());

  store_.SetUnavailable(false);
  EXPECT_TRUE(WaitForHealth(HealthState::kServing));
  EXPECT_TRUE(Negotiate("down", 850, response).ok());
}

TEST_F(GrpcServiceTest, HealthIsServingForTheServerAndTheService) {
  EXPECT_EQ(Health(), HealthState::kServing);
  EXPECT_EQ(Health(kNegotiationServiceName), HealthState::kServing);
  EXPECT_TRUE(core_->serving());
  auto unknown = testing::CheckHealth(channel_, "no.such.Service", milliseconds(2000));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), common::StatusCode::kNotFound);
}

TEST_F(GrpcServiceTest, GetSystemStatusReportsThisProcess) {
  grpc::ClientContext context;
  v1::GetSystemStatusResponse response;
  ASSERT_TRUE(stub_->GetSystemStatus(&context, v1::GetSystemStatusRequest(), &response).ok());
  EXPECT_EQ(response.status(), "ok");
  EXPECT_GE(response.cpu_usage_percent(), 0);
  EXPECT_GT(response.memory_usage_mb(), 0);
  EXPECT_FALSE(response.cached());
  EXPECT_TRUE(std::regex_match(response.timestamp(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
      << response.timestamp();
}

TEST_F(GrpcServiceTest, CheckDealStatusCodes) {
  v1::CheckDealStatusRequest request;
  v1::CheckDealStatusResponse response;
  {
    request.set_deal_id("not-a-uuid");
    grpc::ClientContext context;
    EXPECT_EQ(stub_->CheckDealStatus(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    request.set_deal_id("3f2b8c1e-9a4d-4c2e-8f1a-0b6d5e7c9a12");
    grpc::ClientContext context;
    grpc::Status status = stub_->CheckDealStatus(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(status.error_message(), "Crypto payments not enabled");
  }
}

TEST_F(GrpcServiceTest, SearchIsUnimplementedForNow) {
  grpc::ClientContext context;
  v1::SearchRequest request;
  request.set_query("quiet hotel");
  v1::SearchResponse response;
  EXPECT_EQ(stub_->Search(&context, request, &response).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(GrpcServiceTest, SearchMapsThePluggedInResults) {
  CoreServerParts parts;
  parts.search = [](const SearchQuery& q) -> common::Result<std::vector<SearchHit>> {
    if (q.limit > 50) return common::InvalidArgumentError("limit must be 1..50");
    return std::vector<SearchHit>{{.item_id = "hotel_alpha",
                                   .name = "Hotel Alpha",
                                   .base_price = 1000,
                                   .similarity_score = 0.8765,
                                   .description_snippet = "By the sea"}};
  };
  auto core = CoreServer::Start({.host = "127.0.0.1", .port = 0}, store_,
                                common::SystemClock::Instance(), std::move(parts));
  ASSERT_TRUE(core.ok()) << core.status().ToString();
  auto stub = v1::NegotiationService::NewStub(
      grpc::CreateChannel((*core)->dial_address(), grpc::InsecureChannelCredentials()));
  v1::SearchRequest request;
  request.set_query("sea view");
  request.set_limit(3);
  v1::SearchResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->Search(&context, request, &response).ok());
  }
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).item_id(), "hotel_alpha");
  EXPECT_EQ(response.results(0).name(), "Hotel Alpha");
  EXPECT_EQ(response.results(0).base_price(), 1000);
  EXPECT_EQ(response.results(0).similarity_score(), 0.8765);
  EXPECT_EQ(response.results(0).description_snippet(), "By the sea");
  request.set_limit(51);
  grpc::ClientContext context;
  EXPECT_EQ(stub->Search(&context, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GrpcServiceTest, OneLogLinePerCallWithTheRequestId) {
  common::LogCapture logs(common::LogLevel::kInfo, "aura-core");
  v1::NegotiateResponse response;
  ASSERT_TRUE(Negotiate("logged", 850, response).ok());
  std::vector<std::string> lines = logs.Matching("\"grpc.request\"");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"request_id\":\"rid-logged\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"aura.outcome\":\"accepted\""), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("MCP-"), std::string::npos) << "reservation codes never reach logs";
}

TEST_F(GrpcServiceTest, ServerReflectionListsTheService) {
  // ServerReflectionRequest { list_services = 7: "" } over the bidi stream.
  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  auto step = [&](int id) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    ASSERT_EQ(tag, reinterpret_cast<void*>(static_cast<intptr_t>(id)));
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  std::string request("\x3a\x00", 2);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->WriteLast(out, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  step(2);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  step(3);
  ASSERT_TRUE(ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_NE(bytes.find("aura.negotiation.v1.NegotiationService"), std::string::npos);
  EXPECT_NE(bytes.find("grpc.health.v1.Health"), std::string::npos);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  step(4);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(GrpcServiceTest, PortInUseIsAClearError) {
  auto second = CoreServer::Start({.host = "127.0.0.1", .port = core_->port()}, store_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), common::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("Address already in use"), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find(std::to_string(core_->port())), std::string::npos);
}

TEST_F(GrpcServiceTest, FullWorkerQueueIsResourceExhausted) {
  core_->Shutdown(milliseconds(1000));
  StartCore({.worker_threads = 1, .max_queued_calls = 1});
  // The first call holds the only worker inside the store until released.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> holding;
  std::once_flag once;
  store_.SetBeforeInsert([&](const storage::NegotiationRecord&) {
    std::call_once(once, [&] {
      holding.set_value();
      gate.wait();
    });
  });

  struct Call {
    grpc::ClientContext context;
    v1::NegotiateRequest request;
    v1::NegotiateResponse response;
    std::promise<grpc::Status> done;
  };
  auto start = [&](const std::string& id) {
    auto call = std::make_unique<Call>();
    call->request.set_request_id(id);
    call->request.set_item_id("hotel_alpha");
    call->request.set_bid_amount(850);
    Call* c = call.get();
    stub_->async()->Negotiate(&c->context, &c->request, &c->response,
                              [c](grpc::Status s) { c->done.set_value(std::move(s)); });
    return call;
  };
  auto first = start("busy-1");
  holding.get_future().wait();
  // The second call waits in the queue. A rejection that comes back at once
  // means the queue was not empty yet at that instant: try again.
  std::unique_ptr<Call> second;
  std::future<grpc::Status> second_done;
  for (int attempt = 0; attempt < 100; ++attempt) {
    second = start("busy-2-" + std::to_string(attempt));
    second_done = second->done.get_future();
    if (second_done.wait_for(milliseconds(100)) == std::future_status::timeout) break;
    ASSERT_EQ(second_done.get().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // The queue holds one call: wait until the second is in it, then overflow it.
  v1::NegotiateResponse response;
  grpc::Status third;
  for (int attempt = 0; attempt < 500; ++attempt) {
    third = Negotiate("busy-3-" + std::to_string(attempt), 850, response);
    if (third.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(third.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  release.set_value();
  EXPECT_TRUE(first->done.get_future().get().ok());
  EXPECT_TRUE(second_done.get().ok());
}

TEST_F(GrpcServiceTest, ShutdownIsIdempotentAndRefusesNewCalls) {
  core_->Shutdown(milliseconds(500));
  core_->Shutdown(milliseconds(500));
  v1::NegotiateResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + milliseconds(500));
  v1::NegotiateRequest request;
  request.set_item_id("hotel_alpha");
  request.set_bid_amount(850);
  EXPECT_FALSE(stub_->Negotiate(&context, request, &response).ok());
}

TEST(ToGrpcStatus, KeepsCodeAndMessage) {
  grpc::Status s = ToGrpcStatus(common::UnavailableError("db down"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "db down");
  EXPECT_TRUE(ToGrpcStatus(common::OkStatus()).ok());
}

}  // namespace
}  // namespace aura::core
