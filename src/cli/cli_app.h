// File: cli/cli_app.h
//
// The `aura` command line: parses arguments (CLI11) into an Invocation and
// runs the chosen command (commands.h).
//
//   int main(int argc, char** argv) { return aura::cli::RunAura(argc, argv); }
//
//   auto inv = ParseCommandLine({"aura", "agent", "negotiate", "hotel_alpha", "850"});
//   inv->command == Command::kAgentNegotiate;  inv->negotiate.bid == 850
//
// Single-threaded.
//
// Status codes: ParseCommandLine returns INVALID_ARGUMENT with a message meant
// for the user (what was wrong, and the usage line) for bad usage.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "common/status.h"

namespace aura::cli {

enum class Command {
  kHelp,  // --help or no command: `help_text` holds what to print
  kMigrate,
  kSeed,
  kAgentKeygen,
  kAgentSearch,
  kAgentNegotiate,
  kAgentStatus,
  kAgentScenarios,
  kUp,
  kBench,
  kTraces,
};

struct Invocation {
  Command command = Command::kHelp;
  std::string help_text;
  GlobalOptions global;
  SeedOptions seed;
  KeygenOptions keygen;
  SearchOptions search;
  NegotiateOptions negotiate;
  UpOptions up;
  BenchOptions bench;
  TracesOptions traces;
};

// `args` includes the program name first, as argv does.
common::Result<Invocation> ParseCommandLine(const std::vector<std::string>& args);

// "10s", "500ms", "2m", "1h" or a plain number of seconds; > 0.
// INVALID_ARGUMENT otherwise.
common::Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Parses, reads the configuration, runs; returns the exit code.
int RunAura(int argc, char** argv);

}  // namespace aura::cli
