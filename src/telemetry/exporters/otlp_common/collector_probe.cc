#include "telemetry/exporters/otlp_common/collector_probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace aura::telemetry::otlp {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string ErrnoText(int err) {
  char buf[128];
  // GNU strerror_r returns the message (possibly not in buf).
  return std::string(strerror_r(err, buf, sizeof buf));
}

// One non-blocking connect attempt; 0 on success, else an errno value.
int ConnectOnce(const addrinfo& ai, SteadyClock::time_point deadline) {
  int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return errno;
  int err = 0;
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      err = ETIMEDOUT;
      while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) break;
        pollfd p{.fd = fd, .events = POLLOUT, .revents = 0};
        int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 60000)));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // timed out (or poll failed)
        int so_error = 0;
        socklen_t len = sizeof so_error;
        err = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0 ? so_error : errno;
        break;
      }
    }
  }
  ::close(fd);
  return err;
}

}  // namespace

common::Status TcpConnectProbe(const std::string& host, int port, std::chrono::milliseconds timeout) noexcept {
  try {
    const std::string where = host + ":" + std::to_string(port);
    const auto deadline = SteadyClock::now() + std::max(timeout, std::chrono::milliseconds(1));
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const std::string service = std::to_string(port);
    int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0 || list == nullptr) {
      return common::UnavailableError("resolve " + where + ": " +
                                      (rc == EAI_SYSTEM ? ErrnoText(errno) : std::string(gai_strerror(rc))));
    }
    int last_error = ETIMEDOUT;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      if (SteadyClock::now() >= deadline) break;
      last_error = ConnectOnce(*ai, deadline);
      if (last_error == 0) break;
    }
    ::freeaddrinfo(list);
    if (last_error == 0) return common::OkStatus();
    return common::UnavailableError("connect " + where + ": " + ErrnoText(last_error));
  } catch (...) {
    return common::UnavailableError("connect " + host + ": out of memory");
  }
}

common::Result<CollectorAddress> CollectorAddressOf(const OtlpExporterOptions& options) {
  std::optional<EndpointParts> parts = ParseEndpoint(options.endpoint);
  if (!parts) return common::InvalidArgumentError("OTLP endpoint '" + options.endpoint + "' is not a URL");
  CollectorAddress a;
  a.host = parts->host;
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  a.port = parts->port;
  if (a.port == 0) {
    if (options.protocol == OtlpProtocol::kGrpc) {
      a.port = 443;  // the exporter hands gRPC host without port: gRPC's default
    } else {
      a.port = parts->scheme == "https" ? 443 : 80;
    }
  }
  return a;
}

sdk::ReachabilityProbe MakeCollectorProbe(const OtlpExporterOptions& options) {
  common::Result<CollectorAddress> address = CollectorAddressOf(options);
  if (!address.ok()) {
    common::Status error = address.status();
    return [error](std::chrono::milliseconds) { return error; };
  }
  return [a = std::move(address).value()](std::chrono::milliseconds timeout) {
    return TcpConnectProbe(a.host, a.port, timeout);
  };
}

}  // namespace aura::telemetry::otlp
