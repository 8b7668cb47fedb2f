// File: cli/scenarios.h
//
// The agent scenarios `aura agent scenarios` and `aura up` play against a
// running gateway:
//   - the classic four, each with an expected outcome: a greedy bid of 1.0 on
//     hotel_alpha is countered at the floor (800), 850 is accepted, 1200 needs
//     a human (ui_required), an unknown item is rejected ITEM_NOT_FOUND;
//   - an autonomous buyer that searches, picks the best match and negotiates in
//     rounds toward its budget, raising its bid after each counter.
//
//   GatewayClient client(options, &key);
//   ScenarioReport report = RunScenarios(client, {});
//   PrintScenarioReport(std::cout, Style::ForStream(stdout), report);
//   return report.all_passed ? 0 : 1;
//
// Thread-compatible.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/gateway_client.h"
#include "cli/terminal.h"

namespace aura::cli {

struct ScenarioResult {
  std::string name;
  std::string request;   // "hotel_alpha @ 1.00 USD"
  std::string expected;  // "countered at 800"
  std::string actual;    // what came back, in words
  bool passed = false;
  nlohmann::json reply;  // the response body (or null)
  long http_status = 0;
  double elapsed_ms = 0;
};

struct BuyerRound {
  double bid = 0;
  std::string outcome;  // accepted, countered, ui_required, rejected, error
  double price = 0;     // proposed or final price
  std::string message;
};

struct BuyerOptions {
  std::string query = "hotel room for a quiet weekend";
  // The buyer will pay at most this share of the listed price.
  double budget_fraction = 0.9;
  // Its first bid, as a share of the listed price.
  double opening_fraction = 0.6;
  int max_rounds = 6;
};

struct BuyerReport {
  std::string query;
  std::string item_id;
  std::string item_name;
  double listed_price = 0;
  double budget = 0;
  std::vector<BuyerRound> rounds;
  std::string conclusion;  // "bought at 800.00", "walked away", ...
  bool passed = false;     // reached a conclusion without transport or HTTP errors
  // The core has no search (HTTP 501): nothing to judge, reported but not failed.
  bool skipped = false;
};

struct ScenarioReport {
  std::vector<ScenarioResult> classic;
  BuyerReport buyer;
  bool all_passed = false;
};

// The classic four, in order.
std::vector<ScenarioResult> RunClassicScenarios(GatewayClient& client);
BuyerReport RunAutonomousBuyer(GatewayClient& client, const BuyerOptions& options);
ScenarioReport RunScenarios(GatewayClient& client, const BuyerOptions& options);

// One reply to /v1/negotiate in words: "countered at $800.00 (BELOW_FLOOR): …".
std::string DescribeNegotiation(long http_status, const nlohmann::json& reply);

void PrintScenarioReport(std::ostream& out, const Style& style, const ScenarioReport& report);
nlohmann::json ScenarioReportJson(const ScenarioReport& report);

}  // namespace aura::cli
