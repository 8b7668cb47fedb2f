#include "core/core_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "common/log/log.h"
#include "core/observability.h"
#include "core/pricing/rule_strategy.h"
#include "core/service/grpc_service.h"
#include "core/service/health_checker.h"
#include "core/service/worker_pool.h"
#include "telemetry/api/provider.h"

namespace aura::core {
namespace {

// gRPC only says that binding failed; binding a plain socket to the same
// address tells why (most often EADDRINUSE).
std::string BindFailureReason(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) return gai_strerror(rc);
  std::string reason = "cannot bind";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      reason = std::strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(found);
  return reason;
}

std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace

CoreServerOptions CoreServerOptionsFromConfig(const common::Config& config) {
  CoreServerOptions options;
  options.port = config.core.grpc_port;
  options.trigger_price = config.core.trigger_price;
  options.session_ttl = config.core.session_ttl;
  options.worker_threads = config.database.pool_size > 0 ? config.database.pool_size : 8;
  options.prometheus_url = config.core.prometheus_url;
  return options;
}

common::Result<std::unique_ptr<storage::Store>> OpenCoreStore(const common::Config& config,
                                                               storage::StatementObserver observer) {
  std::string url = config.database.url;
  if (url.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec) {
      return common::UnavailableError("cannot create data dir " + config.data_dir + ": " +
                                      ec.message());
    }
    url = common::DefaultSqliteUrl(config);
  }
  storage::StoreOptions store_options;
  store_options.url = url;
  store_options.pool_size = config.database.pool_size;
  // Only a recording provider makes spans worth keeping in the right trace;
  // without one (OTEL_SDK_DISABLED) the inserts capture nothing.
  if (observer && telemetry::GetTracerProvider() != nullptr) store_options.capture_caller = CaptureTraceContext();
  store_options.statement_observer = std::move(observer);
  AURA_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store, storage::MakeStore(store_options));
  common::Result<int> version = store->Migrate();
  if (!version.ok()) {
    return common::Status(version.status().code(),
                          "migrating " + store->Backend() + ": " + version.status().message());
  }
  AURA_LOG_INFO("storage.ready").With("backend", store->Backend()).With("schema_version", *version);
  return store;
}

common::Result<std::unique_ptr<CoreServer>> CoreServer::Start(
    const CoreServerOptions& options, storage::Store& store, const common::Clock& clock,
    std::unique_ptr<PricingStrategy> strategy) {
  return Start(options, store, clock, CoreServerParts{.strategy = std::move(strategy)});
}

common::Result<std::unique_ptr<CoreServer>> CoreServer::Start(const CoreServerOptions& options,
                                                              storage::Store& store,
                                                              const common::Clock& clock,
                                                              CoreServerParts parts) {
  std::unique_ptr<CoreServer> core(new CoreServer());
  core->options_ = options;
  core->strategy_ = parts.strategy ? std::move(parts.strategy)
                                   : std::make_unique<RuleStrategy>(
                                         RuleStrategyOptions{.trigger_price = options.trigger_price});
  core->system_status_ = MakeSystemStatusSource({.prometheus_url = options.prometheus_url});
  core->service_ = std::make_unique<NegotiationService>(
      *core->strategy_, store, clock,
      NegotiationServiceOptions{.session_ttl = options.session_ttl,
                                .system_status = core->system_status_.get(),
                                .search = std::move(parts.search),
                                .metrics = parts.observability != nullptr
                                               ? &parts.observability->negotiations()
                                               : nullptr});
  core->pool_ = std::make_unique<WorkerPool>(
      WorkerPoolOptions{.threads = options.worker_threads, .max_queued = options.max_queued_calls});
  core->grpc_service_ = std::make_unique<GrpcNegotiationService>(
      *core->service_, *core->pool_,
      parts.observability != nullptr ? &parts.observability->grpc() : nullptr);

  grpc::EnableDefaultHealthCheckService(true);
  if (options.enable_reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this, two servers could silently share one port (SO_REUSEPORT).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  const std::string address = HostPort(options.host, options.port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &core->port_);
  builder.RegisterService(core->grpc_service_.get());
  core->server_ = builder.BuildAndStart();
  if (!core->server_ || core->port_ == 0) {
    std::string reason = BindFailureReason(options.host, options.port);
    if (core->server_) core->server_->Shutdown();
    core->pool_->Shutdown();
    return common::UnavailableError("cannot listen on " + address + ": " + reason);
  }

  grpc::HealthCheckServiceInterface* health = core->server_->GetHealthCheckService();
  auto set_health = [health](bool serving) {
    if (health == nullptr) return;
    health->SetServingStatus("", serving);
    health->SetServingStatus(kNegotiationServiceName, serving);
  };
  set_health(false);  // until the first ping says otherwise
  core->checker_ = std::make_unique<HealthChecker>(
      store, set_health, HealthCheckerOptions{.interval = options.health_check_interval});
  core->checker_->Start();
  return core;
}

CoreServer::~CoreServer() { Shutdown(options_.shutdown_grace); }

std::string CoreServer::dial_address() const {
  if (options_.host.empty() || options_.host == "0.0.0.0") {
    return "127.0.0.1:" + std::to_string(port_);
  }
  if (options_.host == "::") return "[::1]:" + std::to_string(port_);
  return HostPort(options_.host, port_);
}

bool CoreServer::serving() const noexcept { return checker_ != nullptr && checker_->serving(); }

void CoreServer::Shutdown(std::chrono::milliseconds grace) {
  std::lock_guard lock(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  if (checker_) checker_->Shutdown();
  // Stops accepting, waits for in-flight calls until the deadline, then
  // cancels the rest; the pool keeps running meanwhile so queued calls finish.
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + grace);
  if (pool_) pool_->Shutdown();
  if (server_) server_->Wait();
}

void CoreServer::Wait() {
  if (server_) server_->Wait();
}

}  // namespace aura::core
