// `aura agent keygen|search|negotiate|status|scenarios`.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/agent_key.h"
#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "cli/scenarios.h"

namespace aura::cli {
namespace {

void PrintError(const CommandContext& ctx, const std::string& message) {
  *ctx.err << ctx.err_style.Red("error: ") << message << "\n";
}

// The agent's key: --key must exist; the default file is created on first use.
common::Result<AgentKey> LoadAgentKey(const CommandContext& ctx) {
  if (!ctx.key_file.empty()) {
    auto key = AgentKey::Load(ctx.key_file);
    if (!key.ok() && key.status().code() == common::StatusCode::kNotFound) {
      return common::NotFoundError(key.status().message() + " (create one with `aura agent keygen --out " +
                                   ctx.key_file + "`)");
    }
    return key;
  }
  auto key = AgentKey::Load(ctx.default_key_file);
  if (key.ok() || key.status().code() != common::StatusCode::kNotFound) return key;
  AURA_ASSIGN_OR_RETURN(AgentKey fresh, AgentKey::Generate());
  AURA_RETURN_IF_ERROR(fresh.Save(ctx.default_key_file, /*overwrite=*/false));
  *ctx.err << ctx.err_style.Dim("created agent key " + ctx.default_key_file + " (" + fresh.did() + ")")
           << "\n";
  return fresh;
}

std::string Money(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Prints the reply as JSON (with --json) and says whether it was a 2xx.
bool EmitJson(const CommandContext& ctx, const HttpReply& reply) {
  nlohmann::json out = {{"http_status", reply.status},
                        {"request_id", reply.request_id},
                        {"elapsed_ms", static_cast<double>(reply.elapsed.count()) / 1000.0},
                        {"body", reply.json.is_null() ? nlohmann::json(reply.body) : reply.json}};
  *ctx.out << out.dump() << "\n";
  return reply.status >= 200 && reply.status < 300;
}

GatewayClientOptions ClientOptions(const CommandContext& ctx) {
  return GatewayClientOptions{.base_url = ctx.gateway_url};
}

}  // namespace

int RunAgentKeygen(const CommandContext& ctx, const KeygenOptions& options) {
  std::string path = options.out.empty() ? ctx.default_key_file : options.out;
  auto key = AgentKey::Generate();
  if (!key.ok()) {
    PrintError(ctx, key.status().message());
    return 1;
  }
  common::Status saved = key->Save(path, options.force);
  if (!saved.ok()) {
    PrintError(ctx, saved.message());
    return 1;
  }
  if (ctx.json) {
    *ctx.out << nlohmann::json{{"did", key->did()}, {"key_file", path}}.dump() << "\n";
  } else {
    *ctx.out << key->did() << "\n";
    *ctx.err << ctx.err_style.Dim("key written to " + path + " (mode 0600); keep it secret") << "\n";
  }
  return 0;
}

int RunAgentSearch(const CommandContext& ctx, const SearchOptions& options) {
  auto key = LoadAgentKey(ctx);
  if (!key.ok()) {
    PrintError(ctx, key.status().message());
    return 1;
  }
  GatewayClient client(ClientOptions(ctx), &*key);
  auto reply = client.Search(options.query, options.limit);
  if (!reply.ok()) {
    PrintError(ctx, reply.status().message());
    return 1;
  }
  if (ctx.json) return EmitJson(ctx, *reply) ? 0 : 1;
  if (reply->status != 200) {
    PrintError(ctx, DescribeNegotiation(reply->status, reply->json));
    return 1;
  }
  const auto& results = reply->json.value("results", nlohmann::json::array());
  if (results.empty()) {
    *ctx.out << "no results for \"" << options.query << "\"\n";
    return 0;
  }
  for (const auto& r : results) {
    double score = r.value("score", 0.0);
    double price = r.value("price", 0.0);
    *ctx.out << ctx.style.Bold(r.value("name", "")) << "  " << ctx.style.Dim(r.value("id", "")) << "\n"
             << "    $" << Money(price) << "   score " << ctx.style.Cyan(std::to_string(score).substr(0, 6))
             << "\n";
    std::string details = r.contains("details") && r["details"].is_string()
                              ? r["details"].get<std::string>()
                              : "";
    if (!details.empty()) *ctx.out << "    " << ctx.style.Dim(details) << "\n";
  }
  return 0;
}

int RunAgentNegotiate(const CommandContext& ctx, const NegotiateOptions& options) {
  auto key = LoadAgentKey(ctx);
  if (!key.ok()) {
    PrintError(ctx, key.status().message());
    return 1;
  }
  GatewayClient client(ClientOptions(ctx), &*key);
  auto reply = client.Negotiate(options.item_id, options.bid, options.currency);
  if (!reply.ok()) {
    PrintError(ctx, reply.status().message());
    return 1;
  }
  if (ctx.json) return EmitJson(ctx, *reply) ? 0 : 1;
  std::string words = DescribeNegotiation(reply->status, reply->json);
  if (reply->status != 200) {
    PrintError(ctx, words);
    return 1;
  }
  std::string status = reply->json.value("status", "");
  std::string mark = status == "accepted"    ? ctx.style.Green("accepted")
                     : status == "countered" ? ctx.style.Yellow("countered")
                     : status == "rejected"  ? ctx.style.Red("rejected")
                                             : ctx.style.Blue(status);
  *ctx.out << options.item_id << " @ " << Money(options.bid) << " " << options.currency << " → "
           << mark << "\n    " << words << "\n";
  if (reply->json.contains("session_token")) {
    *ctx.out << "    " << ctx.style.Dim("session " + reply->json.value("session_token", "")) << "\n";
  }
  return 0;
}

int RunAgentStatus(const CommandContext& ctx) {
  GatewayClient client(ClientOptions(ctx), nullptr);
  auto reply = client.SystemStatus();
  if (!reply.ok()) {
    PrintError(ctx, reply.status().message());
    return 1;
  }
  if (ctx.json) return EmitJson(ctx, *reply) ? 0 : 1;
  if (reply->status != 200 || !reply->json.is_object()) {
    PrintError(ctx, DescribeNegotiation(reply->status, reply->json));
    return 1;
  }
  const auto& j = reply->json;
  auto num = [&](const char* k) { return j.contains(k) && j[k].is_number() ? j[k].get<double>() : 0.0; };
  std::string status = j.value("status", "?");
  *ctx.out << "status  " << (status == "ok" || status == "healthy" ? ctx.style.Green(status) : ctx.style.Yellow(status))
           << "\ncpu     " << Money(num("cpu_usage_percent")) << " %"
           << "\nmemory  " << Money(num("memory_usage_mb")) << " MB"
           << "\nat      " << j.value("timestamp", "") << (j.value("cached", false) ? " (cached)" : "")
           << "\n";
  return 0;
}

int RunAgentScenarios(const CommandContext& ctx) {
  auto key = LoadAgentKey(ctx);
  if (!key.ok()) {
    PrintError(ctx, key.status().message());
    return 1;
  }
  GatewayClient client(ClientOptions(ctx), &*key);
  ScenarioReport report = RunScenarios(client, BuyerOptions{});
  if (ctx.json) {
    *ctx.out << ScenarioReportJson(report).dump() << "\n";
  } else {
    PrintScenarioReport(*ctx.out, ctx.style, report);
  }
  return report.all_passed ? 0 : 1;
}

}  // namespace aura::cli
