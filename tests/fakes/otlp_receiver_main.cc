// otlp-test-receiver: the OtlpReceiver fake as a process, for e2e tests.
//
//   otlp-test-receiver [--grpc-port N] [--http-port N] [--count-only | --discard]
//
// --count-only decodes and counts spans without keeping them (for load
// benchmarks: memory stays flat; /dump then reports only the counts).
// --discard reads each gRPC export and answers OK without decoding it (a load
// benchmark's stand-in for a collector on another machine: /dump counts
// requests, not spans).
// Prints one JSON line {"grpc_port":N,"http_port":M} on stdout once listening,
// then serves until stdin closes or SIGTERM/SIGINT. On the HTTP port:
//   GET  /dump                       → received spans as JSON (see otlp_receiver.h)
//   POST /script?reply=K&count=N     → script the next N replies (count=-1: default reply);
//        K = ok|unavailable|throttled|bad_request|internal|partial,
//        optional retry_after_ms, delay_ms
//   POST /v1/traces                  → OTLP/HTTP
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "tests/fakes/otlp_receiver.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  aura::fakes::OtlpReceiver::Options options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--count-only") == 0) {
      options.keep_spans = false;
    } else if (std::strcmp(argv[i], "--discard") == 0) {
      options.keep_spans = false;
      options.decode = false;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--grpc-port") == 0) {
      options.grpc_port = std::atoi(argv[++i]);
    } else if (i + 1 < argc && std::strcmp(argv[i], "--http-port") == 0) {
      options.http_port = std::atoi(argv[++i]);
    } else {
      std::cerr << "usage: otlp-test-receiver [--grpc-port N] [--http-port N] [--count-only | --discard]" << std::endl;
      return 2;
    }
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  try {
    auto rx = aura::fakes::OtlpReceiver::Start(options);
    std::cout << "{\"grpc_port\":" << rx->grpc_port() << ",\"http_port\":" << rx->http_port() << "}" << std::endl;
    while (!g_stop) {
      pollfd p{0, POLLIN, 0};
      int r = ::poll(&p, 1, 200);
      if (r > 0) {
        char buf[256];
        if (::read(0, buf, sizeof buf) <= 0) break;  // stdin closed
      }
    }
    rx->Stop();
  } catch (const std::exception& e) {
    std::cerr << "otlp-test-receiver: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
