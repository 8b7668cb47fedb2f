#include "cli/scenarios.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace aura::cli {
namespace {

std::string Money(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

double RoundCents(double v) { return std::round(v * 100.0) / 100.0; }

double NumberAt(const nlohmann::json& j, const char* outer, const char* inner) {
  if (!j.is_object() || !j.contains(outer) || !j[outer].is_object()) return NAN;
  const auto& o = j[outer];
  if (!o.contains(inner) || !o[inner].is_number()) return NAN;
  return o[inner].get<double>();
}

std::string StringAt(const nlohmann::json& j, const char* outer, const char* inner) {
  if (!j.is_object() || !j.contains(outer) || !j[outer].is_object()) return "";
  const auto& o = j[outer];
  if (!o.contains(inner) || !o[inner].is_string()) return "";
  return o[inner].get<std::string>();
}

std::string StatusOf(const nlohmann::json& j) {
  if (j.is_object() && j.contains("status") && j["status"].is_string()) {
    return j["status"].get<std::string>();
  }
  return "";
}

struct Expectation {
  std::string name;
  std::string item_id;
  double bid;
  std::string expected;
  // Checks the reply body of a 200 answer.
  bool (*check)(const nlohmann::json&);
};

bool IsCounteredAt800(const nlohmann::json& j) {
  return StatusOf(j) == "countered" && std::abs(NumberAt(j, "data", "proposed_price") - 800.0) < 0.005;
}
bool IsAccepted(const nlohmann::json& j) { return StatusOf(j) == "accepted"; }
bool IsUiRequired(const nlohmann::json& j) { return StatusOf(j) == "ui_required"; }
bool IsRejectedNotFound(const nlohmann::json& j) {
  return StatusOf(j) == "rejected" && StringAt(j, "data", "reason_code") == "ITEM_NOT_FOUND";
}

}  // namespace

std::string DescribeNegotiation(long http_status, const nlohmann::json& reply) {
  if (http_status != 200) {
    std::string detail;
    if (reply.is_object() && reply.contains("detail")) {
      detail = reply["detail"].is_string() ? reply["detail"].get<std::string>() : reply["detail"].dump();
    }
    return "HTTP " + std::to_string(http_status) + (detail.empty() ? "" : ": " + detail);
  }
  std::string status = StatusOf(reply);
  if (status == "accepted") {
    return "accepted at $" + Money(NumberAt(reply, "data", "final_price")) + " (reservation " +
           StringAt(reply, "data", "reservation_code") + ")";
  }
  if (status == "countered") {
    std::string s = "countered at $" + Money(NumberAt(reply, "data", "proposed_price"));
    std::string reason = StringAt(reply, "data", "reason_code");
    if (!reason.empty()) s += " (" + reason + ")";
    std::string message = StringAt(reply, "data", "message");
    if (!message.empty()) s += ": " + message;
    return s;
  }
  if (status == "ui_required") {
    std::string s = "ui_required";
    std::string tmpl = StringAt(reply, "action_required", "template");
    if (!tmpl.empty()) s += " (" + tmpl + ")";
    if (reply.contains("action_required") && reply["action_required"].is_object()) {
      const auto& ctx = reply["action_required"].value("context", nlohmann::json::object());
      if (ctx.is_object() && ctx.contains("reason") && ctx["reason"].is_string()) {
        s += ": " + ctx["reason"].get<std::string>();
      }
    }
    return s;
  }
  if (status == "rejected") return "rejected (" + StringAt(reply, "data", "reason_code") + ")";
  return "unexpected answer: " + reply.dump();
}

std::vector<ScenarioResult> RunClassicScenarios(GatewayClient& client) {
  const std::vector<Expectation> expectations = {
      {"greedy bid", "hotel_alpha", 1.0, "countered at $800.00", &IsCounteredAt800},
      {"fair bid", "hotel_alpha", 850.0, "accepted", &IsAccepted},
      {"high-value bid", "hotel_alpha", 1200.0, "ui_required", &IsUiRequired},
      {"unknown item", "no_such_item_404", 500.0, "rejected (ITEM_NOT_FOUND)", &IsRejectedNotFound},
  };
  std::vector<ScenarioResult> results;
  for (const auto& e : expectations) {
    ScenarioResult r;
    r.name = e.name;
    r.request = e.item_id + " @ " + Money(e.bid) + " USD";
    r.expected = e.expected;
    auto reply = client.Negotiate(e.item_id, e.bid, "USD");
    if (!reply.ok()) {
      r.actual = reply.status().message();
    } else {
      r.http_status = reply->status;
      r.reply = reply->json;
      r.elapsed_ms = static_cast<double>(reply->elapsed.count()) / 1000.0;
      r.actual = DescribeNegotiation(reply->status, reply->json);
      r.passed = reply->status == 200 && e.check(reply->json);
    }
    results.push_back(std::move(r));
  }
  return results;
}

BuyerReport RunAutonomousBuyer(GatewayClient& client, const BuyerOptions& options) {
  BuyerReport report;
  report.query = options.query;
  auto found = client.Search(options.query, 5);
  if (!found.ok()) {
    report.conclusion = "search failed: " + found.status().message();
    return report;
  }
  if (found->status == 501) {
    report.skipped = true;
    report.conclusion = "skipped: " + DescribeNegotiation(found->status, found->json);
    return report;
  }
  if (found->status != 200 || !found->json.is_object() || !found->json.contains("results") ||
      !found->json["results"].is_array()) {
    report.conclusion = "search failed: " + DescribeNegotiation(found->status, found->json);
    return report;
  }
  // The best match: highest score, then the lower price.
  const nlohmann::json* best = nullptr;
  for (const auto& r : found->json["results"]) {
    if (!r.is_object() || !r.contains("id") || !r.contains("price") || !r["price"].is_number()) continue;
    if (best == nullptr) {
      best = &r;
      continue;
    }
    double s = r.value("score", 0.0), bs = best->value("score", 0.0);
    if (s > bs || (s == bs && r["price"].get<double>() < (*best)["price"].get<double>())) best = &r;
  }
  if (best == nullptr) {
    report.conclusion = "search found nothing to buy";
    return report;
  }
  report.item_id = (*best)["id"].get<std::string>();
  report.item_name = best->value("name", report.item_id);
  report.listed_price = (*best)["price"].get<double>();
  report.budget = RoundCents(report.listed_price * options.budget_fraction);

  double bid = RoundCents(report.listed_price * options.opening_fraction);
  const double step = std::max(1.0, RoundCents((report.budget - bid) / 3.0));
  for (int round = 0; round < options.max_rounds; ++round) {
    BuyerRound br;
    br.bid = bid;
    auto reply = client.Negotiate(report.item_id, bid, "USD");
    if (!reply.ok()) {
      br.outcome = "error";
      br.message = reply.status().message();
      report.rounds.push_back(br);
      report.conclusion = "gave up: " + br.message;
      return report;
    }
    br.message = DescribeNegotiation(reply->status, reply->json);
    if (reply->status != 200) {
      br.outcome = "error";
      report.rounds.push_back(br);
      report.conclusion = "gave up: " + br.message;
      return report;
    }
    br.outcome = StatusOf(reply->json);
    if (br.outcome == "accepted") {
      br.price = NumberAt(reply->json, "data", "final_price");
      report.rounds.push_back(br);
      report.conclusion = "bought " + report.item_id + " at $" + Money(br.price) + " in " +
                          std::to_string(round + 1) + " round(s)";
      report.passed = true;
      return report;
    }
    if (br.outcome == "countered") {
      br.price = NumberAt(reply->json, "data", "proposed_price");
      report.rounds.push_back(br);
      // Raise by a third of the opening gap each round, never past the budget
      // and never past a counter it could simply take.
      double ceiling = std::isfinite(br.price) ? std::min(br.price, report.budget) : report.budget;
      if (std::isfinite(br.price) && br.price <= bid) {
        bid = RoundCents(br.price);  // a counter at or below the bid: take it
        continue;
      }
      if (bid >= report.budget) {
        report.conclusion = "walked away: the seller wants $" + Money(br.price) +
                            ", above the budget of $" + Money(report.budget);
        report.passed = true;
        return report;
      }
      bid = RoundCents(std::min(ceiling, bid + step));
      continue;
    }
    report.rounds.push_back(br);
    if (br.outcome == "ui_required") {
      report.conclusion = "stopped: the seller needs a human to confirm this bid";
      report.passed = true;
    } else if (br.outcome == "rejected") {
      report.conclusion = "stopped: " + br.message;
      report.passed = true;
    } else {
      report.conclusion = "gave up: " + br.message;
    }
    return report;
  }
  report.conclusion = "walked away after " + std::to_string(options.max_rounds) + " rounds";
  report.passed = true;
  return report;
}

ScenarioReport RunScenarios(GatewayClient& client, const BuyerOptions& options) {
  ScenarioReport report;
  report.classic = RunClassicScenarios(client);
  report.buyer = RunAutonomousBuyer(client, options);
  report.all_passed = (report.buyer.passed || report.buyer.skipped) &&
                      std::all_of(report.classic.begin(), report.classic.end(),
                                  [](const ScenarioResult& r) { return r.passed; });
  return report;
}

void PrintScenarioReport(std::ostream& out, const Style& style, const ScenarioReport& report) {
  out << style.Bold("Classic scenarios") << "\n";
  for (const auto& r : report.classic) {
    std::string mark = r.passed ? style.Green("✓") : style.Red("✗");
    out << "  " << mark << " " << style.Bold(r.name) << "  " << style.Dim(r.request) << "\n"
        << "      " << r.actual;
    if (!r.passed) out << "  " << style.Yellow("(expected " + r.expected + ")");
    out << "\n";
  }
  const BuyerReport& b = report.buyer;
  out << style.Bold("Autonomous buyer") << "  " << style.Dim("searching \"" + b.query + "\"") << "\n";
  if (!b.item_id.empty()) {
    out << "    picked " << style.Cyan(b.item_name) << " (" << b.item_id << "), listed at $"
        << Money(b.listed_price) << ", budget $" << Money(b.budget) << "\n";
  }
  for (size_t i = 0; i < b.rounds.size(); ++i) {
    const auto& r = b.rounds[i];
    out << "    round " << i + 1 << ": bid $" << Money(r.bid) << " → " << r.message << "\n";
  }
  std::string mark = b.passed ? style.Green("✓") : b.skipped ? style.Yellow("–") : style.Red("✗");
  out << "  " << mark << " " << b.conclusion << "\n";
  size_t passed = static_cast<size_t>(std::count_if(report.classic.begin(), report.classic.end(),
                                                    [](const ScenarioResult& r) { return r.passed; }));
  std::string summary = std::to_string(passed) + "/" + std::to_string(report.classic.size()) +
                        " classic scenarios as expected";
  summary += b.passed ? ", the buyer reached a conclusion" : b.skipped ? ", the buyer was skipped" : ", the buyer failed";
  out << (report.all_passed ? style.Green(summary) : style.Red(summary)) << "\n";
}

nlohmann::json ScenarioReportJson(const ScenarioReport& report) {
  nlohmann::json classic = nlohmann::json::array();
  for (const auto& r : report.classic) {
    classic.push_back({{"name", r.name},
                       {"request", r.request},
                       {"expected", r.expected},
                       {"actual", r.actual},
                       {"passed", r.passed},
                       {"http_status", r.http_status},
                       {"elapsed_ms", r.elapsed_ms},
                       {"reply", r.reply}});
  }
  nlohmann::json rounds = nlohmann::json::array();
  for (const auto& r : report.buyer.rounds) {
    rounds.push_back({{"bid", r.bid},
                      {"outcome", r.outcome},
                      {"price", std::isfinite(r.price) ? nlohmann::json(r.price) : nlohmann::json()},
                      {"message", r.message}});
  }
  return {{"classic", classic},
          {"buyer",
           {{"query", report.buyer.query},
            {"item_id", report.buyer.item_id},
            {"item_name", report.buyer.item_name},
            {"listed_price", report.buyer.listed_price},
            {"budget", report.buyer.budget},
            {"rounds", rounds},
            {"conclusion", report.buyer.conclusion},
            {"passed", report.buyer.passed},
            {"skipped", report.buyer.skipped}}},
          {"all_passed", report.all_passed}};
}

}  // namespace aura::cli
