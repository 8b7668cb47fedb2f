// File: telemetry/exporters/otlp_common/testing/silent_listener.h
//
// SilentListener (tests only): a loopback TCP listener that accepts
// connections and never answers, so an export sent to it stays in flight
// until something ends it. Accept() returning tells the test the export's
// connection is open, without sleeping.
//
//   SilentListener silent;
//   options.endpoint = "http://127.0.0.1:" + std::to_string(silent.port()) + "/v1/traces";
//   std::thread t([&] { result = exporter.Export(spans); });
//   ASSERT_TRUE(silent.Accept(5s));   // the request is on its way
//   exporter.Shutdown(0ms);           // must end it
//
// Single-threaded (one test drives it).
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <vector>

namespace aura::telemetry::otlp::testing {

class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 8) == 0) {
      socklen_t len = sizeof addr;
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
      port_ = ntohs(addr.sin_port);
    }
  }
  ~SilentListener() {
    for (int c : accepted_) close(c);
    if (fd_ >= 0) close(fd_);
  }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }  // 0 when the listener could not be set up

  // Waits up to `timeout` for a connection and keeps it open, unanswered.
  bool Accept(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return false;
    accepted_.push_back(c);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> accepted_;
};

}  // namespace aura::telemetry::otlp::testing
