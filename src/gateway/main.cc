// aura-gateway: the agents' HTTP/1.1 API in front of aura-core (DESIGN §1, §3).
// Reads the configuration, starts logging and tracing, serves until
// SIGTERM/SIGINT, then stops gracefully and flushes the queued spans.
#include <csignal>
#include <iostream>

#include "common/config/config.h"
#include "common/config/environment.h"
#include "common/grpc/grpc_runtime.h"
#include "common/log/log.h"
#include "gateway/gateway_server.h"
#include "gateway/telemetry_routes.h"
#include "telemetry/metrics_bridge.h"
#include "telemetry/tracing.h"

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
  common::ConfigureGrpcRuntime();

  telemetry::TracingPipeline tracing;
  try {
    // A quarter of the core's recent-span store: the gateway makes three spans a
    // request to the core's seven, and DESIGN §9 gives it 30 MB in all.
    tracing = telemetry::InstallTracing(config, "aura-gateway", {.recent_span_capacity = 1024});
  } catch (const std::exception& e) {
    // e.g. an empty service name: one line naming the setting.
    std::cerr << "aura-gateway: invalid configuration: " << e.what() << "\n";
    common::ShutdownLogging();
    return 2;
  }

  {
    gateway::GatewayDependencies deps;
    deps.telemetry_health_json = [health = tracing.health] {
      return gateway::TelemetryHealthJson(health->Snapshot());
    };
    gateway::GatewayServer server(gateway::GatewayOptionsFromConfig(config), std::move(deps));
    telemetry::PublishTracingHealth(server.metrics(), tracing.health);  // as aura-core does
    server.AddRoute("GET", "/debug/traces", gateway::DebugTracesHandler(tracing.recent_spans));
    common::Status started = server.Start();
    if (!started.ok()) {
      // One line naming the cause, e.g. "cannot listen on 0.0.0.0:8000: Address already in use".
      AURA_LOG_ERROR("gateway.start_failed").With("error", started.message());
      tracing.Shutdown(std::chrono::milliseconds(1000));
      common::ShutdownLogging();
      return 1;
    }
    int sig = 0;
    sigwait(&stop_signals, &sig);
    AURA_LOG_INFO("gateway.stopping").With("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server.Stop(std::chrono::milliseconds(5000));
    AURA_LOG_INFO("gateway.stopped");
  }
  // After the server: the last requests' spans are ended and queued by now.
  bool flushed = tracing.Shutdown(std::chrono::milliseconds(3000));
  if (!flushed) AURA_LOG_WARNING("telemetry.flush_incomplete");
  common::ShutdownLogging();
  return 0;
}
