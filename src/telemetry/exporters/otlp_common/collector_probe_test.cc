#include "telemetry/exporters/otlp_common/collector_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace aura::telemetry::otlp {
namespace {

using namespace std::chrono_literals;

// A listening TCP socket on 127.0.0.1 and a free port (bound, then closed).
struct Listener {
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fd = -1;
  int port = 0;
};

TEST(CollectorProbe, ListeningPortIsReachable) {
  Listener l;
  EXPECT_TRUE(TcpConnectProbe("127.0.0.1", l.port, 500ms).ok());
  EXPECT_TRUE(TcpConnectProbe("localhost", l.port, 500ms).ok());  // tries every address of the name
}

TEST(CollectorProbe, ClosedPortIsUnavailableWithTheReason) {
  Listener l;
  int port = l.port;
  l.Close();
  auto start = std::chrono::steady_clock::now();
  common::Status s = TcpConnectProbe("127.0.0.1", port, 500ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(s.code(), common::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("refused"), std::string::npos) << s.message();
}

TEST(CollectorProbe, UnresolvableHostIsUnavailable) {
  common::Status s = TcpConnectProbe("no-such-host.invalid", 4317, 500ms);
  EXPECT_EQ(s.code(), common::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("no-such-host.invalid:4317"), std::string::npos) << s.message();
}

TEST(CollectorProbe, AddressFollowsTheEndpointAndProtocol) {
  auto addr = [](std::string endpoint, OtlpProtocol p) {
    OtlpExporterOptions o;
    o.endpoint = std::move(endpoint);
    o.protocol = p;
    auto a = CollectorAddressOf(o);
    return a.ok() ? a->host + ":" + std::to_string(a->port) : "error";
  };
  EXPECT_EQ(addr("http://collector:4317", OtlpProtocol::kGrpc), "collector:4317");
  EXPECT_EQ(addr("collector", OtlpProtocol::kGrpc), "collector:443");
  EXPECT_EQ(addr("http://collector/v1/traces", OtlpProtocol::kHttpProtobuf), "collector:80");
  EXPECT_EQ(addr("https://collector/v1/traces", OtlpProtocol::kHttpJson), "collector:443");
  EXPECT_EQ(addr("http://[::1]:4318/v1/traces", OtlpProtocol::kHttpProtobuf), "::1:4318");
  EXPECT_EQ(addr("not a url", OtlpProtocol::kGrpc), "error");
}

TEST(CollectorProbe, MakeCollectorProbeConnectsToTheEndpoint) {
  Listener l;
  OtlpExporterOptions o;
  o.protocol = OtlpProtocol::kGrpc;
  o.endpoint = "http://127.0.0.1:" + std::to_string(l.port);
  EXPECT_TRUE(MakeCollectorProbe(o)(500ms).ok());
  l.Close();
  EXPECT_FALSE(MakeCollectorProbe(o)(500ms).ok());
  o.endpoint = "::bad::";
  EXPECT_EQ(MakeCollectorProbe(o)(500ms).code(), common::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace aura::telemetry::otlp
