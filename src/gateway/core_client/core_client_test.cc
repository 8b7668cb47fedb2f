#include "gateway/core_client/core_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

namespace aura::gateway {
namespace {

// A NegotiationService that records the x-request-id it sees and answers
// Negotiate at once and Search only after `search_delay`.
class FakeCore final : public proto::NegotiationService::Service {
 public:
  grpc::Status Negotiate(grpc::ServerContext* context, const proto::NegotiateRequest* request,
                         proto::NegotiateResponse* response) override {
    auto it = context->client_metadata().find("x-request-id");
    if (it != context->client_metadata().end()) {
      std::lock_guard lock(mu_);
      seen_request_id_ = std::string(it->second.data(), it->second.size());
    }
    response->set_session_token("sess_" + request->request_id());
    response->mutable_accepted()->set_final_price(request->bid_amount());
    return grpc::Status::OK;
  }
  grpc::Status Search(grpc::ServerContext* context, const proto::SearchRequest*,
                      proto::SearchResponse*) override {
    // Stands in for a core that is too slow for the client's deadline.
    auto until = std::chrono::steady_clock::now() + search_delay;
    while (std::chrono::steady_clock::now() < until && !context->IsCancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return grpc::Status::OK;
  }
  std::string seen_request_id() {
    std::lock_guard lock(mu_);
    return seen_request_id_;
  }
  std::chrono::milliseconds search_delay{500};

 private:
  std::mutex mu_;
  std::string seen_request_id_;
};

class CoreClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  FakeCore fake_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(CoreClientTest, SendsTheRequestIdAsMetadataAndReturnsTheAnswer) {
  CoreClient client({.address = address()});
  proto::NegotiateRequest req;
  req.set_request_id("abc");
  req.set_bid_amount(850.0);
  std::promise<std::pair<grpc::StatusCode, std::string>> done;
  client.Negotiate(req, {.request_id = "rid-1"},
                   [&](const grpc::Status& s, proto::NegotiateResponse&& r) {
                     done.set_value({s.error_code(), r.session_token()});
                   });
  auto [code, token] = done.get_future().get();
  EXPECT_EQ(code, grpc::StatusCode::OK);
  EXPECT_EQ(token, "sess_abc");
  EXPECT_EQ(fake_.seen_request_id(), "rid-1");
}

TEST_F(CoreClientTest, EnforcesTheDeadline) {
  CoreClient client({.address = address(), .timeout = std::chrono::milliseconds(100)});
  std::promise<grpc::StatusCode> done;
  auto start = std::chrono::steady_clock::now();
  client.Search(proto::SearchRequest(), {}, [&](const grpc::Status& s, proto::SearchResponse&&) {
    done.set_value(s.error_code());
  });
  EXPECT_EQ(done.get_future().get(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(450));
}

TEST_F(CoreClientTest, ProbesHealth) {
  CoreClient client({.address = address()});
  std::promise<CoreHealth> done;
  client.CheckHealth([&](const CoreHealth& h) { done.set_value(h); });
  CoreHealth h = done.get_future().get();
  EXPECT_TRUE(h.serving) << h.detail;
  EXPECT_EQ(h.detail, "SERVING");
}

TEST(CoreClient, ReportsAnAbsentCoreQuicklyAsUnavailable) {
  // A port that was free a moment ago: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  CoreClient client({.address = "127.0.0.1:" + std::to_string(port)});
  std::promise<CoreHealth> health;
  client.CheckHealth([&](const CoreHealth& h) { health.set_value(h); });
  CoreHealth h = health.get_future().get();
  EXPECT_FALSE(h.serving);
  EXPECT_LT(h.latency, std::chrono::milliseconds(600));
  std::promise<grpc::StatusCode> call;
  client.GetSystemStatus({}, [&](const grpc::Status& s, proto::GetSystemStatusResponse&&) {
    call.set_value(s.error_code());
  });
  EXPECT_EQ(call.get_future().get(), grpc::StatusCode::UNAVAILABLE);
}

TEST(CoreClient, AnswersUnavailableAfterShutdown) {
  CoreClient client({.address = "127.0.0.1:1"});
  client.Shutdown();
  std::promise<grpc::StatusCode> call;
  client.GetSystemStatus({}, [&](const grpc::Status& s, proto::GetSystemStatusResponse&&) {
    call.set_value(s.error_code());
  });
  EXPECT_EQ(call.get_future().get(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace aura::gateway
