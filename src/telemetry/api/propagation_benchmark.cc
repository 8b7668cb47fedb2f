// W3C propagation cost per request: inject into and extract from headers.
#include <benchmark/benchmark.h>

#include "telemetry/api/propagator.h"

namespace aura::telemetry {
namespace {

void BM_Propagation_Inject(benchmark::State& state) {
  Context ctx;
  ctx.span_context = *TraceContextPropagator::ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(4);
  for (auto _ : state) {
    headers.clear();
    HeaderMapCarrier carrier(headers);
    InjectContext(carrier, ctx);
    benchmark::DoNotOptimize(headers.data());
  }
}
BENCHMARK(BM_Propagation_Inject);

void BM_Propagation_Extract(benchmark::State& state) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"content-type", "application/json"},
      {"x-agent-id", "did:key:abc"},
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
      {"tracestate", "rojo=00f067aa0ba902b7"}};
  for (auto _ : state) {
    HeaderMapCarrier carrier(headers);
    Context c = ExtractContext(carrier);
    benchmark::DoNotOptimize(c.span_context.trace_id);
  }
}
BENCHMARK(BM_Propagation_Extract);

}  // namespace
}  // namespace aura::telemetry
