#include "cli/cli_app.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/traces.h"
#include "common/log/log.h"

namespace aura::cli {
namespace {

const CLI::Validator kFinitePositive(
    [](std::string& value) -> std::string {
      double d = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
      if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(d) || d <= 0) {
        return "'" + value + "' is not a finite number greater than 0";
      }
      return "";
    },
    "POSITIVE NUMBER");

}  // namespace

common::Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t unit_at = 0;
  while (unit_at < text.size() && (std::isdigit(static_cast<unsigned char>(text[unit_at])) ||
                                   text[unit_at] == '.')) {
    ++unit_at;
  }
  std::string_view number = text.substr(0, unit_at);
  std::string_view unit = text.substr(unit_at);
  double value = 0;
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  double scale_ms = unit.empty() || unit == "s" ? 1000.0
                    : unit == "ms"              ? 1.0
                    : unit == "m"               ? 60000.0
                    : unit == "h"               ? 3600000.0
                                                : -1.0;
  if (number.empty() || ec != std::errc() || p != number.data() + number.size() || scale_ms < 0 ||
      !(value > 0)) {
    return common::InvalidArgumentError("'" + std::string(text) +
                                        "' is not a duration (e.g. 10s, 500ms, 2m)");
  }
  auto ms = static_cast<int64_t>(std::llround(value * scale_ms));
  if (ms <= 0) return common::InvalidArgumentError("'" + std::string(text) + "' is shorter than 1 ms");
  return std::chrono::milliseconds(ms);
}

common::Result<Invocation> ParseCommandLine(const std::vector<std::string>& args) {
  Invocation inv;
  CLI::App app{"aura: run an Aura Hive, act as a signing buyer agent, import inventory, benchmark",
               "aura"};
  app.set_version_flag("--version", "aura 0.1.0");
  app.require_subcommand(0, 1);
  app.add_flag("--json", inv.global.json, "Machine-readable JSON output");
  app.add_option("--gateway", inv.global.gateway_url,
                 "Gateway URL (default $AURA_GATEWAY_URL or http://127.0.0.1:$HTTP_PORT)");
  app.add_option("--key", inv.global.key_file,
                 "Agent key file (default <data_dir>/agent.key, created on first use)");

  auto* migrate = app.add_subcommand("migrate", "Apply database migrations and print the schema version");
  migrate->fallthrough();
  migrate->callback([&] { inv.command = Command::kMigrate; });

  auto* seed = app.add_subcommand("seed", "Import inventory (the demo inventory by default)");
  seed->fallthrough();
  seed->add_option("--file,-f", inv.seed.file, "JSON or CSV inventory file (all-or-nothing)")
      ->check(CLI::ExistingFile);
  seed->callback([&] { inv.command = Command::kSeed; });

  auto* agent = app.add_subcommand("agent", "Act as a buyer agent that signs its requests");
  agent->fallthrough();
  agent->require_subcommand(1);
  auto* keygen = agent->add_subcommand("keygen", "Create an Ed25519 agent key file and print its DID");
  keygen->fallthrough();
  keygen->add_option("--out,-o", inv.keygen.out, "Key file (default <data_dir>/agent.key)");
  keygen->add_flag("--force", inv.keygen.force, "Replace an existing key file");
  keygen->callback([&] { inv.command = Command::kAgentKeygen; });

  auto* search = agent->add_subcommand("search", "Search the inventory by meaning");
  search->fallthrough();
  search->add_option("query", inv.search.query, "What to look for")->required();
  search->add_option("--limit,-n", inv.search.limit, "Results (1-50)")->check(CLI::Range(1, 50));
  search->callback([&] { inv.command = Command::kAgentSearch; });

  auto* negotiate = agent->add_subcommand("negotiate", "Bid for an item");
  negotiate->fallthrough();
  negotiate->add_option("item", inv.negotiate.item_id, "Item id, e.g. hotel_alpha")->required();
  negotiate->add_option("bid", inv.negotiate.bid, "Bid amount")->required()->check(kFinitePositive);
  negotiate->add_option("--currency", inv.negotiate.currency, "Three-letter currency code")
      ->check([](const std::string& c) {
        bool ok = c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) {
                    return std::isalpha(static_cast<unsigned char>(ch));
                  });
        return ok ? std::string() : "'" + c + "' is not a three-letter currency code";
      });
  negotiate->callback([&] { inv.command = Command::kAgentNegotiate; });

  auto* status = agent->add_subcommand("status", "The hive's vital signs (GET /v1/system/status)");
  status->fallthrough();
  status->callback([&] { inv.command = Command::kAgentStatus; });

  auto* scenarios = agent->add_subcommand(
      "scenarios", "Play the classic four scenarios and an autonomous buyer; exit 1 on a surprise");
  scenarios->fallthrough();
  scenarios->callback([&] { inv.command = Command::kAgentScenarios; });

  auto* up = app.add_subcommand("up", "Start aura-core and aura-gateway with the embedded defaults");
  up->fallthrough();
  up->add_flag("--no-scenarios", inv.up.no_scenarios, "Do not play the scenarios once ready");
  up->add_flag("--check", inv.up.check, "Start, play the scenarios, stop; exit 0 if all went as expected");
  std::string ready_timeout = "60s";
  up->add_option("--ready-timeout", ready_timeout, "How long to wait for readiness (default 60s)");
  up->callback([&] { inv.command = Command::kUp; });

  auto* bench = app.add_subcommand("bench", "Load the signed /v1/negotiate route and report latency");
  bench->fallthrough();
  LoadOptions& load = inv.bench.load;
  bench->add_option("--connections,-c", load.connections, "Keep-alive connections (default 16)")
      ->check(CLI::Range(1, 10000));
  bench->add_option("--threads,-t", load.threads, "I/O threads (default 1)")->check(CLI::Range(1, 64));
  std::string duration = "10s";
  auto* duration_opt = bench->add_option("--duration,-d", duration, "Run time (default 10s)");
  auto* requests_opt = bench->add_option("--requests,-r", load.requests, "Stop after this many requests")
                           ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}));
  requests_opt->excludes(duration_opt);
  std::string mix = "accepted=70,countered=20,ui_required=5,rejected=5";
  bench->add_option("--mix", mix, "Outcome weights (default accepted=70,countered=20,ui_required=5,rejected=5)");
  bench->add_option("--agents", load.factory.agents, "Agent keys to rotate over (default 16)")
      ->check(CLI::Range(1, 100000));
  bench->add_option("--item", load.factory.item_id, "Item to bid on (default hotel_alpha)");
  bench->add_option("--pool", load.pool_size, "Requests signed up front (default: sized to the run)");
  bench->add_flag("--verify-baseline", inv.bench.verify_baseline,
                  "Also measure Ed25519 verifications per second and report the ratio");
  bench->callback([&] { inv.command = Command::kBench; });

  auto* traces = app.add_subcommand(
      "traces", "Recent traces of both services (GET /debug/traces), or one trace as a waterfall");
  traces->fallthrough();
  traces->add_option("trace_id", inv.traces.trace_id, "Trace id (32 hex digits) to show as a waterfall");
  traces->add_option("--core-metrics", inv.traces.core_metrics_url,
                     "aura-core metrics URL (default http://127.0.0.1:$AURA_SERVER__METRICS_PORT)");
  traces->add_option("--service", inv.traces.service, "Only traces that touch this service");
  traces->add_option("--min-duration-ms", inv.traces.min_duration_ms, "Only traces at least this long")
      ->check(CLI::NonNegativeNumber);
  traces->add_flag("--errors", inv.traces.errors_only, "Only traces with an error span");
  traces->add_option("--limit,-n", inv.traces.limit, "At most this many traces (default 20)")
      ->check(CLI::Range(1, 1000));
  traces->add_option("--wait", inv.traces.wait_seconds,
                     "Seconds to keep asking for a TRACE_ID not recorded yet (default 6; 0 = no wait)")
      ->check(CLI::Range(0.0, 600.0));
  traces->callback([&] { inv.command = Command::kTraces; });

  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    // The help of the most specific subcommand asked for.
    const CLI::App* target = &app;
    while (true) {
      auto subs = target->get_subcommands();
      if (subs.empty()) break;
      target = subs.front();
    }
    inv.command = Command::kHelp;
    inv.help_text = target->help();
    return inv;
  } catch (const CLI::CallForVersion&) {
    inv.command = Command::kHelp;
    inv.help_text = "aura 0.1.0\n";
    return inv;
  } catch (const CLI::ParseError& e) {
    // Name the command that was being parsed, e.g. "aura agent negotiate".
    const CLI::App* target = &app;
    std::string path = "aura";
    while (true) {
      auto subs = target->get_subcommands();
      if (subs.empty()) break;
      target = subs.front();
      path += " " + target->get_name();
    }
    return common::InvalidArgumentError(path + ": " + e.what() + "\nRun `" + path +
                                        " --help` for usage.");
  }
  if (app.get_subcommands().empty()) {
    inv.command = Command::kHelp;
    inv.help_text = app.help();
    return inv;
  }
  if (inv.command == Command::kUp) {
    AURA_ASSIGN_OR_RETURN(auto t, ParseDuration(ready_timeout));
    inv.up.ready_timeout = std::chrono::duration_cast<std::chrono::seconds>(t);
    if (inv.up.ready_timeout.count() < 1) inv.up.ready_timeout = std::chrono::seconds(1);
  }
  if (inv.command == Command::kBench) {
    auto d = ParseDuration(duration);
    if (!d.ok()) return common::InvalidArgumentError("--duration: " + d.status().message());
    load.duration = *d;
    auto m = ParseOutcomeMix(mix);
    if (!m.ok()) return common::InvalidArgumentError("--mix: " + m.status().message());
    load.factory.mix = *m;
  }
  if (inv.command == Command::kTraces && !inv.traces.trace_id.empty()) {
    auto id = NormalizeTraceId(inv.traces.trace_id);
    if (!id.ok()) return common::InvalidArgumentError("aura traces: " + id.status().message());
    inv.traces.trace_id = *id;
  }
  return inv;
}

CommandContext MakeCommandContext(const GlobalOptions& global, const common::Environment& env) {
  CommandContext ctx;
  ctx.config = common::LoadConfig(env, "aura-cli");
  ctx.json = global.json;
  if (!global.gateway_url.empty()) {
    ctx.gateway_url = global.gateway_url;
  } else if (auto url = env.Get("AURA_GATEWAY_URL")) {
    ctx.gateway_url = *url;
  } else {
    ctx.gateway_url = "http://127.0.0.1:" + std::to_string(ctx.config.gateway.http_port);
  }
  while (!ctx.gateway_url.empty() && ctx.gateway_url.back() == '/') ctx.gateway_url.pop_back();
  ctx.key_file = global.key_file;
  ctx.default_key_file = (std::filesystem::path(ctx.config.data_dir) / "agent.key").string();
  ctx.core_bin_override = env.Get("AURA_CORE_BIN").value_or("");
  ctx.gateway_bin_override = env.Get("AURA_GATEWAY_BIN").value_or("");
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  ctx.style = Style::ForStream(stdout);
  ctx.err_style = Style::ForStream(stderr);
  ctx.interactive = IsTerminal(stdout);
  return ctx;
}

int RunAura(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto inv = ParseCommandLine(args);
  if (!inv.ok()) {
    std::cerr << inv.status().message() << "\n";
    return 2;
  }
  if (inv->command == Command::kHelp) {
    std::cout << inv->help_text;
    return 0;
  }
  CommandContext ctx;
  try {
    ctx = MakeCommandContext(inv->global, common::Environment::FromProcess());
  } catch (const common::ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return 2;
  }
  common::InitLogging({.level = common::LogLevel::kWarning, .logger = "aura", .synchronous = true});
  int rc = 1;
  try {
    switch (inv->command) {
      case Command::kHelp: rc = 0; break;
      case Command::kMigrate: rc = RunMigrate(ctx); break;
      case Command::kSeed: rc = RunSeed(ctx, inv->seed); break;
      case Command::kAgentKeygen: rc = RunAgentKeygen(ctx, inv->keygen); break;
      case Command::kAgentSearch: rc = RunAgentSearch(ctx, inv->search); break;
      case Command::kAgentNegotiate: rc = RunAgentNegotiate(ctx, inv->negotiate); break;
      case Command::kAgentStatus: rc = RunAgentStatus(ctx); break;
      case Command::kAgentScenarios: rc = RunAgentScenarios(ctx); break;
      case Command::kUp: rc = RunUp(ctx, inv->up); break;
      case Command::kBench: rc = RunBench(ctx, inv->bench); break;
      case Command::kTraces: rc = RunTraces(ctx, inv->traces); break;
    }
  } catch (const std::exception& e) {
    // Commands return Status values; this catches what a library throws.
    std::cerr << "error: " << e.what() << "\n";
    rc = 1;
  }
  std::cout.flush();
  common::ShutdownLogging();
  return rc;
}

}  // namespace aura::cli
