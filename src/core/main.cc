// aura-core: the gRPC core service (DESIGN section 1). Composition root only:
// configuration, logging, storage, CoreServer; everything else lives in
// aura_core_lib.
//
// Exit codes: 0 after a clean SIGTERM/SIGINT shutdown, 1 when storage or the
// port cannot be opened, 2 for an invalid configuration.
#include <grpc/support/log.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "common/config/config.h"
#include "common/config/environment.h"
#include "common/log/log.h"
#include "core/core_server.h"

namespace {

using aura::common::LogLevel;

// Blocks SIGTERM and SIGINT in this thread and every thread started after it,
// so only the sigwait below receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// gRPC's own log lines join ours as JSON: its errors (e.g. the bind failure
// behind "port in use", which we report ourselves) as warnings, the rest at debug.
void RouteGrpcLogs(gpr_log_func_args* args) {
  const LogLevel level = args->severity == GPR_LOG_SEVERITY_ERROR ? LogLevel::kWarning : LogLevel::kDebug;
  aura::common::LogLine(level, "grpc.internal").With("message", args->message ? args->message : "");
}

int Fail(int code, const char* event, const std::string& error) {
  AURA_LOG_ERROR(event).With("error", error);
  aura::common::ShutdownLogging();
  return code;
}

int Run() {
  const sigset_t stop_signals = BlockStopSignals();
  aura::common::Config config;
  try {
    config = aura::common::LoadConfig(aura::common::Environment::FromProcess(), "aura-core");
  } catch (const aura::common::ConfigError& e) {
    aura::common::InitLogging({.logger = "aura-core", .synchronous = true});
    return Fail(2, "core.config_invalid", e.what());
  }
  aura::common::InitLogging({.level = config.log_level, .logger = "aura-core"});
  gpr_set_log_function(RouteGrpcLogs);

  auto opened = aura::core::OpenCoreStore(config);
  if (!opened.ok()) return Fail(1, "core.storage_failed", opened.status().ToString());
  std::unique_ptr<aura::storage::Store> store = std::move(*opened);

  if (config.llm.model != "rule") {
    // TODO(llm): build the LLM strategy behind guardrails once it exists.
    AURA_LOG_WARNING("pricing.llm_not_available").With("model", config.llm.model);
  }
  auto started = aura::core::CoreServer::Start(aura::core::CoreServerOptionsFromConfig(config), *store);
  if (!started.ok()) return Fail(1, "core.listen_failed", started.status().message());
  std::unique_ptr<aura::core::CoreServer> core = std::move(*started);
  AURA_LOG_INFO("core.started").With("grpc_port", core->port()).With("storage", store->Backend());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  AURA_LOG_INFO("core.stopping").With("signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  core->Shutdown(std::chrono::seconds(5));
  core.reset();   // the server goes before the store it borrows
  store.reset();
  AURA_LOG_INFO("core.stopped");
  aura::common::ShutdownLogging();
  return 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aura-core: fatal: %s\n", e.what());
    return 1;
  }
}
