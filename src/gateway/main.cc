// aura-gateway: the agents' HTTP/1.1 API in front of aura-core (DESIGN §1, §3).
// Reads the configuration, starts logging, serves until SIGTERM/SIGINT, then
// stops gracefully.
#include <csignal>
#include <iostream>

#include "common/config/config.h"
#include "common/config/environment.h"
#include "common/log/log.h"
#include "gateway/gateway_server.h"

int main() {
  using namespace aura;
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  common::Config config;
  try {
    config = common::LoadConfig(common::Environment::FromProcess(), "aura-gateway");
  } catch (const std::exception& e) {
    std::cerr << "aura-gateway: invalid configuration: " << e.what() << "\n";
    return 1;
  }
  common::InitLogging({.level = config.log_level, .logger = "aura-gateway"});

  {
    gateway::GatewayServer server(gateway::GatewayOptionsFromConfig(config));
    common::Status started = server.Start();
    if (!started.ok()) {
      // One line naming the cause, e.g. "cannot listen on 0.0.0.0:8000: Address already in use".
      AURA_LOG_ERROR("gateway.start_failed").With("error", started.message());
      common::ShutdownLogging();
      return 1;
    }
    int sig = 0;
    sigwait(&stop_signals, &sig);
    AURA_LOG_INFO("gateway.stopping").With("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server.Stop(std::chrono::milliseconds(5000));
    AURA_LOG_INFO("gateway.stopped");
  }
  common::ShutdownLogging();
  return 0;
}
