// File: cli/commands.h
//
// The `aura` commands, one function each, behind the argument parsing of
// cli_app.h. Each takes the parsed options and a CommandContext (config,
// output streams, styling) and returns the process exit code:
//   0 success; 1 the command ran and failed (or a scenario did not go as
//   expected); 2 bad usage or configuration.
//
//   CommandContext ctx = MakeCommandContext(global, Environment::FromProcess());
//   return RunAgentNegotiate(ctx, {.item_id = "hotel_alpha", .bid = 850});
//
// Single-threaded: a command owns the process while it runs.
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli/bench/load_generator.h"
#include "cli/terminal.h"
#include "common/config/config.h"
#include "common/status.h"
#include "storage/store.h"

namespace aura::cli {

// Options every command accepts.
struct GlobalOptions {
  bool json = false;
  // --gateway; empty = AURA_GATEWAY_URL, else http://127.0.0.1:<HTTP_PORT>.
  std::string gateway_url;
  // --key; empty = <data_dir>/agent.key (created on first use).
  std::string key_file;
};

struct CommandContext {
  common::Config config;
  bool json = false;
  std::string gateway_url;
  std::string key_file;       // explicit --key, or ""
  std::string default_key_file;  // <data_dir>/agent.key
  std::string core_bin_override;     // AURA_CORE_BIN
  std::string gateway_bin_override;  // AURA_GATEWAY_BIN
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  Style style{false};      // for *out
  Style err_style{false};  // for *err
  bool interactive = false;  // *out is a terminal: progress bars and live lines
};

// Reads the configuration (throws common::ConfigError) and resolves the
// gateway URL and key path. Output goes to std::cout / std::cerr.
CommandContext MakeCommandContext(const GlobalOptions& global, const common::Environment& env);

// --- store ---------------------------------------------------------------
struct SeedOptions {
  std::string file;  // empty = the demo inventory
};

// The configured store: AURA_DATABASE__URL, else SQLite in the data dir (the
// directory is created).
common::Result<std::unique_ptr<storage::Store>> OpenConfiguredStore(const common::Config& config);
// A URL fit to print (password hidden).
std::string RedactUrl(const std::string& url);

struct SeedReport {
  size_t inserted = 0;
  size_t updated = 0;
  int schema_version = 0;
};
// Migrates, then upserts `items` in one transaction, telling apart new and
// existing ids. `bar` (may be null) advances once per item.
common::Result<SeedReport> SeedItems(storage::Store& store, const std::vector<storage::Item>& items,
                                     ProgressBar* bar);

int RunMigrate(const CommandContext& ctx);
int RunSeed(const CommandContext& ctx, const SeedOptions& options);

// --- agent ---------------------------------------------------------------
struct KeygenOptions {
  std::string out;  // empty = <data_dir>/agent.key
  bool force = false;
};
struct SearchOptions {
  std::string query;
  int limit = 3;
};
struct NegotiateOptions {
  std::string item_id;
  double bid = 0;
  std::string currency = "USD";
};

int RunAgentKeygen(const CommandContext& ctx, const KeygenOptions& options);
int RunAgentSearch(const CommandContext& ctx, const SearchOptions& options);
int RunAgentNegotiate(const CommandContext& ctx, const NegotiateOptions& options);
int RunAgentStatus(const CommandContext& ctx);
int RunAgentScenarios(const CommandContext& ctx);

// --- up ------------------------------------------------------------------
struct UpOptions {
  bool no_scenarios = false;
  // Start, play the scenarios, stop; exit 0 when all went as expected.
  bool check = false;
  std::chrono::seconds ready_timeout{60};
  std::chrono::seconds stop_grace{10};
};

// Where aura-core and aura-gateway live: the override, else next to this
// executable's build layout (<build>/src/cli/aura → <build>/src/core/aura-core)
// or in the same directory (installed layout).
std::string FindServiceBinary(const std::string& self_exe, const std::string& name,
                              const std::string& override_path);
// True when nothing can listen on `address`:`port` because something already does.
bool PortInUse(const std::string& address, int port);

int RunUp(const CommandContext& ctx, const UpOptions& options);

// --- bench ---------------------------------------------------------------
struct BenchOptions {
  LoadOptions load;
  bool verify_baseline = false;
  std::chrono::milliseconds verify_budget{1000};
};

nlohmann::json BenchResultJson(const BenchOptions& options, const LoadResult& result,
                               double verify_per_second);
int RunBench(const CommandContext& ctx, BenchOptions options);

// --- traces --------------------------------------------------------------
struct TracesOptions {
  std::string trace_id;          // empty = list the recent traces
  std::string core_metrics_url;  // --core-metrics; empty = http://127.0.0.1:<core.metrics_port>
  std::string service;           // only traces touching this service
  double min_duration_ms = 0;
  bool errors_only = false;
  int limit = 20;
  // With a trace id not (yet) in the stores: ask again every 250 ms for this
  // long, since spans reach them with each batch export. 0 = answer at once.
  double wait_seconds = 6;
};

// The query string for GET /debug/traces ("?limit=20&trace_id=…").
std::string TracesQueryString(const TracesOptions& options);
// Lists the recent traces of both services, or prints one as a waterfall.
// A service that does not answer is reported in one line; exit 1 when
// neither answers or the trace id is still unknown after wait_seconds.
int RunTraces(const CommandContext& ctx, const TracesOptions& options);

}  // namespace aura::cli
