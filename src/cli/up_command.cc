// `aura up`: a whole hive on one machine with the embedded defaults.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/agent_key.h"
#include "cli/child_process.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "cli/scenarios.h"
#include "storage/inventory_import.h"

namespace aura::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Waits up to `timeout` for SIGINT or SIGTERM (blocked by RunUp); returns the
// signal number or 0.
int WaitForStopSignal(std::chrono::milliseconds timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec ts{.tv_sec = static_cast<time_t>(timeout.count() / 1000),
              .tv_nsec = static_cast<long>(timeout.count() % 1000) * 1000000L};
  int sig = ::sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

struct PortCheck {
  std::string variable;
  std::string owner;
  std::string address;
  int port;
};

class Hive {
 public:
  Hive(const CommandContext& ctx, const UpOptions& options) : ctx_(ctx), options_(options) {}
  ~Hive() { StopAll(); }

  int Run();

 private:
  void Say(const std::string& line) {
    if (!ctx_.json) *ctx_.out << line << "\n" << std::flush;
  }
  int Fail(const std::string& message) {
    *ctx_.err << ctx_.err_style.Red("error: ") << message << "\n";
    StopAll();
    return 1;
  }
  int FailWithLog(const std::string& message, const ChildProcess& child) {
    std::string tail = TailFile(child.log_path(), 20);
    std::string text = message + "\n--- last lines of " + child.log_path() + " ---\n" +
                       (tail.empty() ? "(empty)\n" : tail);
    return Fail(text);
  }
  bool PrepareStore();
  // OK, or a message saying which process failed or what is not ready.
  int WaitUntilReady();
  void PrintWhereToLook();
  void StopAll();
  // The first child that has exited, or null.
  ChildProcess* ExitedChild() {
    for (auto* c : {core_.get(), gateway_.get()}) {
      if (c != nullptr && c->Poll()) return c;
    }
    return nullptr;
  }

  const CommandContext& ctx_;
  const UpOptions& options_;
  std::string data_dir_;
  std::string logs_dir_;
  std::string gateway_url_;
  std::unique_ptr<ChildProcess> core_;
  std::unique_ptr<ChildProcess> gateway_;
  bool interrupted_ = false;
};

bool Hive::PrepareStore() {
  auto store = OpenConfiguredStore(ctx_.config);
  if (!store.ok()) {
    Fail("cannot open the store: " + store.status().message());
    return false;
  }
  auto version = (*store)->Migrate();
  if (!version.ok()) {
    Fail("migration failed: " + version.status().message());
    return false;
  }
  auto items = (*store)->ListItems(/*active_only=*/false);
  if (!items.ok()) {
    Fail("cannot read the inventory: " + items.status().message());
    return false;
  }
  std::string where = ctx_.config.database.url.empty() ? common::DefaultSqliteUrl(ctx_.config)
                                                       : RedactUrl(ctx_.config.database.url);
  if (items->empty()) {
    auto report = SeedItems(**store, storage::LoadDemoInventory(), nullptr);
    if (!report.ok()) {
      Fail("seeding the demo inventory failed: " + report.status().message());
      return false;
    }
    Say(ctx_.style.Green("✓") + " store " + where + " (schema " + std::to_string(*version) +
        "), seeded " + std::to_string(report->inserted) + " demo items");
  } else {
    Say(ctx_.style.Green("✓") + " store " + where + " (schema " + std::to_string(*version) + "), " +
        std::to_string(items->size()) + " items");
  }
  return true;
}

int Hive::WaitUntilReady() {
  GatewayClient probe({.base_url = gateway_url_, .timeout = std::chrono::milliseconds(1000)}, nullptr);
  auto deadline = Clock::now() + options_.ready_timeout;
  std::string last_answer = "no answer";
  while (Clock::now() < deadline) {
    if (ChildProcess* dead = ExitedChild()) {
      return FailWithLog(dead->name() + " " + *dead->Poll() + " during start-up", *dead);
    }
    auto reply = probe.Get("/readyz");
    if (reply.ok()) {
      if (reply->status == 200) return 0;
      last_answer = "HTTP " + std::to_string(reply->status) + " " + reply->body;
    } else {
      last_answer = reply.status().message();
    }
    if (int sig = WaitForStopSignal(std::chrono::milliseconds(150))) {
      interrupted_ = true;
      return Fail(std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                  " while starting");
    }
  }
  // Blame the gateway when it does not answer at all, else the core it waits for.
  bool gateway_answers = probe.Get("/healthz").ok();
  const ChildProcess& culprit = gateway_answers ? *core_ : *gateway_;
  return FailWithLog("the hive was not ready within " + std::to_string(options_.ready_timeout.count()) +
                         " s (" + gateway_url_ + "/readyz: " + last_answer + "); " +
                         (gateway_answers ? "aura-gateway answers but aura-core is not ready"
                                          : "aura-gateway does not answer"),
                     culprit);
}

void Hive::PrintWhereToLook() {
  if (ctx_.json) return;
  const Style& s = ctx_.style;
  *ctx_.out << "\n" << s.Bold("Aura Hive is up") << "\n"
            << "  API        " << s.Cyan(gateway_url_ + "/v1/…") << "   (signed; see `aura agent`)\n"
            << "  health     " << s.Cyan(gateway_url_ + "/health") << "\n"
            << "  readiness  " << s.Cyan(gateway_url_ + "/readyz") << "\n"
            << "  metrics    " << s.Cyan(gateway_url_ + "/metrics") << "  and core "
            << s.Cyan("http://127.0.0.1:" + std::to_string(ctx_.config.core.metrics_port) + "/metrics")
            << "\n"
            << "  traces     aura traces [TRACE_ID]   (JSON: " << s.Cyan(gateway_url_ + "/debug/traces")
            << "  and core "
            << s.Cyan("http://127.0.0.1:" + std::to_string(ctx_.config.core.metrics_port) + "/debug/traces")
            << ")\n"
            << "  hive view  " << s.Cyan(gateway_url_ + "/hive") << "\n"
            << "  core gRPC  127.0.0.1:" << ctx_.config.core.grpc_port << "\n"
            << "  logs       " << logs_dir_ << "/aura-core.log, " << logs_dir_ << "/aura-gateway.log\n"
            << "\n  try:\n"
            << "    aura agent search \"sea view room\"\n"
            << "    aura agent negotiate hotel_alpha 850\n"
            << "    aura agent status\n"
            << "    aura agent scenarios\n"
            << "    aura traces\n"
            << "    aura bench --duration 10s\n"
            << (options_.check ? "" : "\nCtrl-C stops the hive.\n") << std::flush;
}

void Hive::StopAll() {
  // Gateway first, so no request reaches a core that is going away.
  for (auto* child : {&gateway_, &core_}) {
    if (*child == nullptr) continue;
    bool was_running = !(*child)->Poll();
    std::string how = (*child)->Stop(options_.stop_grace);
    if (was_running) Say(ctx_.style.Dim("stopped " + (*child)->name() + " (" + how + ")"));
    child->reset();
  }
}

int Hive::Run() {
  const common::Config& config = ctx_.config;
  std::error_code ec;
  data_dir_ = std::filesystem::absolute(config.data_dir).lexically_normal().string();
  logs_dir_ = data_dir_ + "/logs";
  std::filesystem::create_directories(logs_dir_, ec);
  if (ec) return Fail("cannot create " + logs_dir_ + ": " + ec.message());
  gateway_url_ = "http://127.0.0.1:" + std::to_string(config.gateway.http_port);

  for (const PortCheck& p :
       {PortCheck{"HTTP_PORT", "aura-gateway", config.gateway.bind_address, config.gateway.http_port},
        PortCheck{"GRPC_PORT", "aura-core (gRPC)", "0.0.0.0", config.core.grpc_port},
        PortCheck{"AURA_SERVER__METRICS_PORT", "aura-core (metrics)", "0.0.0.0",
                  config.core.metrics_port}}) {
    if (PortInUse(p.address, p.port)) {
      return Fail("port " + std::to_string(p.port) + " for " + p.owner +
                  " is already in use; stop what holds it or choose another with " + p.variable);
    }
  }

  std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  std::string core_bin = FindServiceBinary(self, "aura-core", ctx_.core_bin_override);
  std::string gateway_bin = FindServiceBinary(self, "aura-gateway", ctx_.gateway_bin_override);

  if (!PrepareStore()) return 1;

  // Both children read the same configuration; pin what must agree.
  std::map<std::string, std::string> env = {{"AURA_DATA_DIR", data_dir_}};
  auto core_log = logs_dir_ + "/aura-core.log";
  auto gateway_log = logs_dir_ + "/aura-gateway.log";
  auto core = ChildProcess::Start(
      {.name = "aura-core", .binary = core_bin, .log_path = core_log, .env = env});
  if (!core.ok()) return Fail(core.status().message() + " (set AURA_CORE_BIN to override)");
  core_ = std::move(core).value();
  std::map<std::string, std::string> gateway_env = env;
  if (!config.env.Get("AURA_GATEWAY__CORE_ADDRESS") && !config.env.Get("CORE_SERVICE_HOST")) {
    gateway_env["AURA_GATEWAY__CORE_ADDRESS"] = "127.0.0.1:" + std::to_string(config.core.grpc_port);
  }
  auto gateway = ChildProcess::Start(
      {.name = "aura-gateway", .binary = gateway_bin, .log_path = gateway_log, .env = gateway_env});
  if (!gateway.ok()) return Fail(gateway.status().message() + " (set AURA_GATEWAY_BIN to override)");
  gateway_ = std::move(gateway).value();
  Say(ctx_.style.Green("✓") + " started aura-core (pid " + std::to_string(core_->pid()) +
      ") and aura-gateway (pid " + std::to_string(gateway_->pid()) + "); logs in " + logs_dir_);

  if (int rc = WaitUntilReady(); rc != 0) return rc;
  Say(ctx_.style.Green("✓") + " ready at " + gateway_url_);

  bool scenarios_ok = true;
  nlohmann::json scenarios_json;
  if (!options_.no_scenarios) {
    Say("");
    auto key = AgentKey::Load(ctx_.default_key_file);
    if (!key.ok()) {
      auto fresh = AgentKey::Generate();
      if (!fresh.ok()) return Fail(fresh.status().message());
      if (auto saved = fresh->Save(ctx_.default_key_file, false); !saved.ok()) {
        return Fail(saved.message());
      }
      key = std::move(fresh);
    }
    GatewayClient client({.base_url = gateway_url_}, &*key);
    ScenarioReport report = RunScenarios(client, BuyerOptions{});
    scenarios_ok = report.all_passed;
    if (ctx_.json) {
      scenarios_json = ScenarioReportJson(report);
    } else {
      PrintScenarioReport(*ctx_.out, ctx_.style, report);
    }
  }
  if (ctx_.json) {
    *ctx_.out << nlohmann::json{{"ready", true},
                                {"gateway_url", gateway_url_},
                                {"logs_dir", logs_dir_},
                                {"scenarios", scenarios_json},
                                {"scenarios_passed", scenarios_ok}}
                     .dump()
              << "\n"
              << std::flush;
  }
  PrintWhereToLook();
  if (options_.check) {
    StopAll();
    return scenarios_ok ? 0 : 1;
  }

  while (true) {
    if (int sig = WaitForStopSignal(std::chrono::milliseconds(250))) {
      Say(std::string("\n") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ": stopping the hive");
      StopAll();
      return 0;
    }
    if (ChildProcess* dead = ExitedChild()) {
      return FailWithLog(dead->name() + " " + *dead->Poll() + "; stopping the hive", *dead);
    }
  }
}

}  // namespace

std::string FindServiceBinary(const std::string& self_exe, const std::string& name,
                              const std::string& override_path) {
  if (!override_path.empty()) return override_path;
  namespace fs = std::filesystem;
  fs::path self(self_exe);
  fs::path dir = self.parent_path();
  std::string sub = name == "aura-core" ? "core" : "gateway";
  // <build>/src/cli/aura → <build>/src/<sub>/<name>
  fs::path build_layout = dir.parent_path() / sub / name;
  std::error_code ec;
  if (fs::exists(build_layout, ec)) return build_layout.string();
  // Installed: bin/aura next to bin/aura-core.
  return (dir / name).string();
}

bool PortInUse(const std::string& address, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) addr.sin_addr.s_addr = htonl(INADDR_ANY);
  bool in_use = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno == EADDRINUSE;
  ::close(fd);
  return in_use;
}

int RunUp(const CommandContext& ctx, const UpOptions& options) {
  // SIGINT/SIGTERM are taken synchronously (sigtimedwait), so blocking them
  // here covers every thread started later; children get them back at exec.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  Hive hive(ctx, options);
  return hive.Run();
}

}  // namespace aura::cli
