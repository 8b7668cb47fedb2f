#include "common/grpc/grpc_runtime.h"

#include <absl/synchronization/mutex.h>
#include <grpc/support/log.h>

#include "common/log/log.h"

namespace aura::common {
namespace {

void RouteGrpcLogs(gpr_log_func_args* args) {
  const LogLevel level = args->severity == GPR_LOG_SEVERITY_ERROR ? LogLevel::kWarning : LogLevel::kDebug;
  LogLine(level, "grpc.internal").With("message", args->message ? args->message : "");
}

}  // namespace

void ConfigureGrpcRuntime() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  gpr_set_log_function(RouteGrpcLogs);
}

}  // namespace aura::common
