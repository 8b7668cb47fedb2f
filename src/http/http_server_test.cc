#include "http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/router.h"

namespace aura::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A blocking loopback client speaking raw bytes, so tests control exactly what
// goes on the wire.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  void Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Reads one response (headers + Content-Length body). "" on EOF/timeout.
  std::string ReadResponse(int timeout_ms = 5000) {
    while (true) {
      size_t end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t len = 0;
        auto cl = Lower(buf_.substr(0, end)).find("content-length:");
        if (cl != std::string::npos) len = std::stoul(buf_.substr(cl + 15));
        if (buf_.size() >= end + 4 + len) {
          std::string out = buf_.substr(0, end + 4 + len);
          buf_.erase(0, end + 4 + len);
          return out;
        }
      }
      if (!ReadMore(timeout_ms)) return {};
    }
  }

  // True when the server closed the connection within the timeout.
  bool WaitClosed(int timeout_ms) {
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      char tmp[4096];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
    }
  }

 private:
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  bool ReadMore(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    options.bind_address = "127.0.0.1";
    options.port = 0;
    if (options.io_threads == 0) options.io_threads = 2;
    router_.Add("GET", "/hello", [](HttpRequest& req, HttpResponder r) {
      auto res = HttpResponse::Json(200, "{\"hello\":\"world\"}");
      res.SetHeader("X-Seen-Route", req.route);
      std::move(r).Send(std::move(res));
    });
    router_.Add("POST", "/echo", [](HttpRequest& req, HttpResponder r) {
      std::move(r).Send(HttpResponse::Text(200, req.body));
    });
    router_.Add("GET", "/later", [this](HttpRequest&, HttpResponder r) {
      // Answer from a foreign thread after the handler returned.
      later_threads_.emplace_back([r = std::move(r)]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        std::move(r).Send(HttpResponse::Json(200, "{\"later\":true}"));
      });
    });
    router_.Add("GET", "/hold", [this](HttpRequest&, HttpResponder r) {
      held_.set_value();
      later_threads_.emplace_back([this, r = std::move(r)]() mutable {
        release_.get_future().wait();
        std::move(r).Send(HttpResponse::Json(200, "{\"held\":true}"));
      });
    });
    router_.Add("GET", "/forget", [](HttpRequest&, HttpResponder) {});
    router_.Add("GET", "/thread", [](HttpRequest&, HttpResponder r) {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof name);
      std::move(r).Send(HttpResponse::Text(200, name));
    });
    router_.Add("POST", "/v1/deals/{deal_id}/status", [](HttpRequest& req, HttpResponder r) {
      std::move(r).Send(HttpResponse::Text(200, std::string(req.PathParam("deal_id"))));
    });
    server_ = std::make_unique<HttpServer>(options, router_.AsHandler());
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) server_->Stop(std::chrono::milliseconds(500));
    for (auto& t : later_threads_) t.join();
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::vector<std::thread> later_threads_;
  std::promise<void> held_;
  std::promise<void> release_;
};

TEST_F(HttpServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  StartServer();
  RawClient c(port_);
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    c.Write(Get("/hello"));
    std::string res = c.ReadResponse();
    EXPECT_THAT(res, StartsWith("HTTP/1.1 200 OK"));
    EXPECT_THAT(res, HasSubstr("{\"hello\":\"world\"}"));
    EXPECT_THAT(res, HasSubstr("X-Seen-Route: /hello"));
  }
}

TEST_F(HttpServerTest, HandlersRunOnThreadsNamedHttpIo) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/thread"));
  EXPECT_THAT(c.ReadResponse(), HasSubstr("\r\n\r\nhttp-io"));
}

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/hello") + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_THAT(c.ReadResponse(), HasSubstr("hello"));
  EXPECT_THAT(c.ReadResponse(), HasSubstr("\r\n\r\nabc"));
}

TEST_F(HttpServerTest, CompletesResponsesFromAnotherThread) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/later"));
  EXPECT_THAT(c.ReadResponse(), HasSubstr("{\"later\":true}"));
  c.Write(Get("/hello"));
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, AnswersInternalErrorWhenAHandlerDropsTheResponder) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/forget"));
  std::string res = c.ReadResponse();
  EXPECT_THAT(res, StartsWith("HTTP/1.1 500"));
  EXPECT_THAT(res, HasSubstr("{\"detail\":\"Internal Server Error\"}"));
}

TEST_F(HttpServerTest, RoutesUnknownPathsTo404AndWrongMethodsTo405WithAllow) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/nope"));
  std::string res = c.ReadResponse();
  EXPECT_THAT(res, StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(res, HasSubstr("{\"detail\":\"Not Found\"}"));
  c.Write(Get("/v1/deals/abc/status"));
  res = c.ReadResponse();
  EXPECT_THAT(res, StartsWith("HTTP/1.1 405"));
  EXPECT_THAT(res, HasSubstr("Allow: POST"));
  c.Write("POST /v1/deals/abc/status HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_THAT(c.ReadResponse(), HasSubstr("\r\n\r\nabc"));
}

TEST_F(HttpServerTest, EchoesSaneRequestIdsAndReplacesOthers) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/hello", "X-Request-ID: abc-123.x:y_z\r\n"));
  EXPECT_THAT(c.ReadResponse(), HasSubstr("X-Request-ID: abc-123.x:y_z\r\n"));
  c.Write(Get("/hello", "X-Request-ID: bad id!\r\n"));
  std::string res = c.ReadResponse();
  EXPECT_THAT(res, Not(HasSubstr("bad id!")));
  EXPECT_THAT(res, HasSubstr("X-Request-ID: "));
}

TEST_F(HttpServerTest, RejectsHeaderBlocksOver8KiBWith431) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/hello", "X-Big: " + std::string(9000, 'a') + "\r\n"));
  std::string res = c.ReadResponse();
  EXPECT_THAT(res, StartsWith("HTTP/1.1 431"));
  EXPECT_THAT(res, HasSubstr("{\"detail\":"));
  EXPECT_TRUE(c.WaitClosed(3000));
  EXPECT_EQ(server_->stats().header_too_large, 1u);
}

TEST_F(HttpServerTest, RejectsDeclaredBodiesOverTheLimitWith413BeforeReadingThem) {
  StartServer({.max_body_bytes = 1024});
  RawClient c(port_);
  // Only the head is sent: the answer must come without the body.
  c.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  std::string res = c.ReadResponse();
  EXPECT_THAT(res, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(res, HasSubstr("Connection: close"));
}

TEST_F(HttpServerTest, RejectsChunkedBodiesGrowingOverTheLimitWith413) {
  StartServer({.max_body_bytes = 1024});
  RawClient c(port_);
  std::string chunk(2000, 'x');
  c.Write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" + chunk +
          "\r\n0\r\n\r\n");
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 413"));
}

TEST_F(HttpServerTest, AnswersGarbageWith400) {
  StartServer();
  RawClient c(port_);
  c.Write("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 400"));
}

TEST_F(HttpServerTest, ClosesHalfSentRequestsAfterTheReadTimeout) {
  StartServer({.read_timeout = std::chrono::milliseconds(200)});
  RawClient c(port_);
  c.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(5000));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(server_->stats().read_timeouts, 1u);
  RawClient ok(port_);
  ok.Write(Get("/hello"));
  EXPECT_THAT(ok.ReadResponse(), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, ServesRequestsWhileManyConnectionsSitIdle) {
  StartServer();
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 500; ++i) idle.push_back(std::make_unique<RawClient>(port_));
  RawClient c(port_);
  c.Write(Get("/hello"));
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, RefusesConnectionsOverTheLimitWith503) {
  StartServer({.max_connections = 2});
  RawClient a(port_), b(port_);
  a.Write(Get("/hello"));
  ASSERT_THAT(a.ReadResponse(), StartsWith("HTTP/1.1 200"));
  b.Write(Get("/hello"));
  ASSERT_THAT(b.ReadResponse(), StartsWith("HTTP/1.1 200"));
  RawClient c(port_);
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 503"));
}

TEST_F(HttpServerTest, StopLetsRequestsInFlightFinish) {
  StartServer();
  RawClient c(port_);
  c.Write(Get("/hold"));
  held_.get_future().wait();
  std::thread stopper([this] { server_->Stop(std::chrono::milliseconds(3000)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  release_.set_value();
  std::string res = c.ReadResponse();
  EXPECT_THAT(res, HasSubstr("{\"held\":true}"));
  EXPECT_THAT(res, HasSubstr("Connection: close"));
  stopper.join();
}

TEST(HttpServer, ReportsAPortInUseAsUnavailable) {
  HttpServer first({.bind_address = "127.0.0.1", .port = 0, .io_threads = 1},
                   [](HttpRequest&, HttpResponder) {});
  ASSERT_TRUE(first.Start().ok());
  HttpServer second({.bind_address = "127.0.0.1", .port = first.port(), .io_threads = 1},
                    [](HttpRequest&, HttpResponder) {});
  common::Status s = second.Start();
  EXPECT_EQ(s.code(), common::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr(std::to_string(first.port())));
}

}  // namespace
}  // namespace aura::http
