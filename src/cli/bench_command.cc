// `aura bench`: load on the signed /v1/negotiate route.
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"

namespace aura::cli {
namespace {

double Ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void OnStopSignal(int) { RequestLoadStop(); }

}  // namespace

nlohmann::json BenchResultJson(const BenchOptions& options, const LoadResult& r,
                               double verify_per_second) {
  const LoadOptions& o = options.load;
  nlohmann::json mix = nlohmann::json::object();
  nlohmann::json outcomes = nlohmann::json::object();
  nlohmann::json aimed = nlohmann::json::object();
  for (int i = 0; i < kBenchOutcomeCount; ++i) {
    std::string name(BenchOutcomeName(static_cast<BenchOutcome>(i)));
    mix[name] = o.factory.mix.weights[static_cast<size_t>(i)];
    outcomes[name] = r.outcomes[static_cast<size_t>(i)];
    aimed[name] = r.aimed[static_cast<size_t>(i)];
  }
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [code, n] : r.status_counts) statuses[std::to_string(code)] = n;
  nlohmann::json errors = nlohmann::json::object();
  uint64_t transport_errors = 0;
  for (const auto& [what, n] : r.transport_errors) {
    errors[what] = n;
    transport_errors += n;
  }
  const LatencyHistogram& h = r.latency;
  nlohmann::json j = {
      {"target", o.gateway_url + "/v1/negotiate"},
      {"connections", o.connections},
      {"threads", o.threads},
      {"agents", o.factory.agents},
      {"mode", o.requests > 0 ? "requests" : "duration"},
      {"mix", mix},
      {"requests", r.completed},
      {"answered", h.count()},
      {"ok", r.ok},
      {"duration_s", std::chrono::duration<double>(r.elapsed).count()},
      {"throughput_rps", r.throughput_rps},
      {"latency_ms",
       {{"min", Ms(h.min())},
        {"mean", Ms(h.Mean())},
        {"p50", Ms(h.Percentile(50))},
        {"p90", Ms(h.Percentile(90))},
        {"p99", Ms(h.Percentile(99))},
        {"p99.9", Ms(h.Percentile(99.9))},
        {"max", Ms(h.max())}}},
      {"status_counts", statuses},
      {"outcomes", outcomes},
      {"aimed", aimed},
      {"unexpected_outcomes", r.unexpected_outcomes},
      {"transport_errors", errors},
      {"transport_error_count", transport_errors},
      {"signing",
       {{"pre_signed", r.signed_up_front},
        {"pre_sign_seconds", std::chrono::duration<double>(r.prefill_time).count()},
        {"signed_inline", r.signed_inline},
        {"refilled_in_background", r.refilled},
        {"resigned", r.resigned}}},
  };
  if (verify_per_second > 0) {
    j["verify_baseline"] = {{"ed25519_verifications_per_second", verify_per_second},
                            {"microseconds_per_verification", 1e6 / verify_per_second},
                            {"throughput_ratio", r.throughput_rps / verify_per_second}};
  }
  return j;
}

int RunBench(const CommandContext& ctx, BenchOptions options) {
  options.load.gateway_url = ctx.gateway_url;
  double verify_rate = 0;
  if (options.verify_baseline) {
    // Measured before the load, so it has a core to itself.
    verify_rate = MeasureVerifyRate(options.verify_budget);
    if (!ctx.json) {
      *ctx.out << "Ed25519 verification baseline: " << Fixed(verify_rate, 0) << " /s on one core ("
               << Fixed(1e6 / verify_rate, 1) << " µs each)\n";
    }
  }
  if (!ctx.json) {
    *ctx.out << "signing requests up front for " << ctx.gateway_url << "/v1/negotiate, "
             << options.load.connections << " connections on " << options.load.threads
             << " thread(s), " << options.load.factory.agents << " agent key(s)…\n"
             << std::flush;
  }
  struct sigaction sa {};
  sa.sa_handler = &OnStopSignal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {}, old_term {};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);

  bool live = ctx.interactive && !ctx.json;
  auto result = RunLoad(options.load, [&](const LoadProgress& p) {
    if (!live) return;
    *ctx.out << "\r  " << Fixed(std::chrono::duration<double>(p.elapsed).count(), 1) << " s  "
             << p.completed << " requests  " << Fixed(p.rate_rps, 0) << " req/s  errors "
             << p.errors << "    " << std::flush;
  });
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  if (live) *ctx.out << "\r" << std::string(70, ' ') << "\r";
  if (!result.ok()) {
    *ctx.err << ctx.err_style.Red("error: ") << result.status().message() << "\n";
    return 2;
  }
  const LoadResult& r = *result;
  nlohmann::json j = BenchResultJson(options, r, verify_rate);
  if (ctx.json) {
    *ctx.out << j.dump() << "\n";
  } else {
    const Style& s = ctx.style;
    const auto& lat = j["latency_ms"];
    *ctx.out << s.Bold("Throughput  ") << Fixed(r.throughput_rps, 0) << " req/s  ("
             << r.latency.count() << " answered in "
             << Fixed(std::chrono::duration<double>(r.elapsed).count(), 2) << " s)\n"
             << s.Bold("Latency ms  ") << "p50 " << Fixed(lat["p50"], 3) << "  p90 "
             << Fixed(lat["p90"], 3) << "  p99 " << Fixed(lat["p99"], 3) << "  p99.9 "
             << Fixed(lat["p99.9"], 3) << "  max " << Fixed(lat["max"], 3) << "\n"
             << s.Bold("Statuses    ");
    for (const auto& [code, n] : r.status_counts) {
      std::string t = std::to_string(code) + ": " + std::to_string(n) + "  ";
      *ctx.out << (code >= 200 && code < 300 ? t : s.Red(t));
    }
    *ctx.out << "\n" << s.Bold("Outcomes    ");
    for (int i = 0; i < kBenchOutcomeCount; ++i) {
      *ctx.out << BenchOutcomeName(static_cast<BenchOutcome>(i)) << " "
               << r.outcomes[static_cast<size_t>(i)] << "  ";
    }
    *ctx.out << (r.unexpected_outcomes > 0
                     ? s.Yellow("(" + std::to_string(r.unexpected_outcomes) + " unexpected)")
                     : "")
             << "\n";
    for (const auto& [what, n] : r.transport_errors) {
      *ctx.out << s.Red("Errors      ") << what << ": " << n << "\n";
    }
    *ctx.out << s.Dim("signed " + std::to_string(r.signed_up_front) + " up front in " +
                      Fixed(std::chrono::duration<double>(r.prefill_time).count(), 2) + " s, " +
                      std::to_string(r.refilled) + " in the background, " +
                      std::to_string(r.signed_inline) + " inline, " + std::to_string(r.resigned) +
                      " re-signed")
             << "\n";
    if (verify_rate > 0) {
      *ctx.out << s.Bold("Ratio       ") << Fixed(r.throughput_rps / verify_rate, 3)
               << " × one core's Ed25519 verifications per second\n";
    }
  }
  bool clean = r.latency.count() > 0 && r.transport_errors.empty() && r.ok == r.latency.count();
  return clean ? 0 : 1;
}

}  // namespace aura::cli
