// File: core/core_server.h
//
// CoreServer: the aura-core process minus main(): it wires a pricing strategy,
// the NegotiationService, a bounded worker pool, the gRPC adapter, gRPC's
// health service (grpc.health.v1.Health, SERVING only while storage answers
// Ping) and server reflection, and listens on one port. `aura-core`, the
// `aura up` command and end-to-end tests all start the core through it.
//
//   Config config = LoadConfig(Environment::FromProcess(), "aura-core");
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store, OpenCoreStore(config));
//   AURA_ASSIGN_OR_RETURN(std::unique_ptr<CoreServer> core,
//                         CoreServer::Start(CoreServerOptionsFromConfig(config), *store));
//   ... core->port() ...
//   core->Shutdown(std::chrono::seconds(5));   // then destroy the store
//
// Thread-safe: port(), serving() and Shutdown() may be called from any thread;
// Shutdown is idempotent and the destructor calls it.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/config/config.h"
#include "common/status.h"
#include "core/pricing/pricing_strategy.h"
#include "core/service/negotiation_service.h"
#include "core/status/system_status.h"
#include "storage/store.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace aura::core {

class CoreObservability;
class GrpcNegotiationService;
class HealthChecker;
class WorkerPool;

// The full service name the health service reports on (besides "").
inline constexpr char kNegotiationServiceName[] = "aura.negotiation.v1.NegotiationService";

struct CoreServerOptions {
  // Address to listen on; "0.0.0.0" = every IPv4 interface.
  std::string host = "0.0.0.0";
  // 0 = a free port chosen by the system (read it back with port()).
  int port = 50051;
  // Rule strategy: bids strictly above this need a human (ui_required).
  double trigger_price = 1000.0;
  // valid_until = now + session_ttl.
  std::chrono::seconds session_ttl{600};
  // Threads that run storage-bound calls (Negotiate); match the DB pool size.
  int worker_threads = 8;
  // Calls waiting for a worker beyond this are refused with RESOURCE_EXHAUSTED.
  size_t max_queued_calls = 1024;
  // How often storage is pinged for the health service.
  std::chrono::milliseconds health_check_interval{1000};
  // How long the destructor lets in-flight calls finish if Shutdown was not called.
  std::chrono::milliseconds shutdown_grace{5000};
  // Register grpc.reflection.v1alpha.ServerReflection.
  bool enable_reflection = true;
  // GetSystemStatus asks this Prometheus (averaged PromQL, 30 s cache);
  // empty = this process's /proc figures.
  std::string prometheus_url;
};

// The parts other modules provide; each left empty falls back to the
// built-in default.
struct CoreServerParts {
  // null = RuleStrategy with options.trigger_price.
  std::unique_ptr<PricingStrategy> strategy;
  // Answers Search (see core/search); empty = UNIMPLEMENTED.
  SearchFunction search;
  // Metrics sink (borrowed, must outlive the server): gRPC calls and
  // negotiation outcomes are counted into it. null = not counted.
  CoreObservability* observability = nullptr;
};

// Options from the parsed configuration: core.grpc_port, core.trigger_price,
// core.session_ttl, core.prometheus_url, worker_threads = database.pool_size.
CoreServerOptions CoreServerOptionsFromConfig(const common::Config& config);

// Opens and migrates the store the configuration names: database.url, else
// DefaultSqliteUrl(config) (creating the data dir). INVALID_ARGUMENT for an
// unusable URL; UNAVAILABLE when the database cannot be reached; the
// migration's own error otherwise.
// `observer` (optional) sees every statement (CoreObservability::StatementObserverFor);
// with it, and a tracer provider installed, group-committed INSERTs keep their
// callers' trace context (CaptureTraceContext).
common::Result<std::unique_ptr<storage::Store>> OpenCoreStore(
    const common::Config& config, storage::StatementObserver observer = {});

class CoreServer {
 public:
  // Builds everything and starts listening. `store` and `clock` are borrowed
  // and must outlive the server; `strategy` = nullptr means the rule strategy
  // with options.trigger_price. UNAVAILABLE naming the address and the reason
  // when the port cannot be bound (e.g. "0.0.0.0:50051: Address already in use").
  static common::Result<std::unique_ptr<CoreServer>> Start(
      const CoreServerOptions& options, storage::Store& store,
      const common::Clock& clock = common::SystemClock::Instance(),
      std::unique_ptr<PricingStrategy> strategy = nullptr);
  // The same with every pluggable part.
  static common::Result<std::unique_ptr<CoreServer>> Start(const CoreServerOptions& options,
                                                           storage::Store& store,
                                                           const common::Clock& clock,
                                                           CoreServerParts parts);

  ~CoreServer();
  CoreServer(const CoreServer&) = delete;
  CoreServer& operator=(const CoreServer&) = delete;

  // The port actually bound (useful with options.port = 0).
  int port() const noexcept { return port_; }
  // "127.0.0.1:<port>" when listening on every interface, else "<host>:<port>":
  // an address a local client can dial.
  std::string dial_address() const;
  // Whether the health service currently says SERVING.
  bool serving() const noexcept;

  // Stops accepting calls, lets in-flight calls finish until `grace` has
  // passed (then cancels them), stops the health checker and the workers.
  // Idempotent; blocks until done. The store is not touched afterwards.
  void Shutdown(std::chrono::milliseconds grace);

  // Blocks until Shutdown has completed (from another thread).
  void Wait();

  // The logic behind the RPCs, e.g. for in-process callers.
  NegotiationService& service() noexcept { return *service_; }

 private:
  CoreServer() = default;

  CoreServerOptions options_;
  int port_ = 0;
  std::unique_ptr<PricingStrategy> strategy_;
  std::unique_ptr<SystemStatusSource> system_status_;
  std::unique_ptr<NegotiationService> service_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<GrpcNegotiationService> grpc_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<HealthChecker> checker_;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;  // guarded by shutdown_mu_
};

}  // namespace aura::core
