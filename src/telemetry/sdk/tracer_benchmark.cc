// Span start+end cost with the batch processor (DESIGN §9: goal < 300 ns), single
// thread and contended, and the batch processor's throughput.
#include <benchmark/benchmark.h>

#include "telemetry/sdk/batch_span_processor.h"
#include "telemetry/sdk/tracer_provider.h"

namespace aura::telemetry::sdk {
namespace {

// Accepts and discards: measures the pipeline, not a wire format.
class NullExporter final : public SpanExporter {
 public:
  ExportResult Export(std::span<const std::unique_ptr<SpanData>>) noexcept override { return ExportResult::kSuccess; }
  bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }
};

// A large queue so that the benchmark measures enqueueing, not the (cheaper) drop path.
std::shared_ptr<TracerProvider> MakeProvider(size_t queue = 1 << 18) {
  static auto provider = [queue] {
    return std::make_shared<TracerProvider>(
        TracerProviderOptions{},
        MakeProcessors(std::make_unique<BatchSpanProcessor>(
            std::make_unique<NullExporter>(),
            BatchSpanProcessorOptions{.max_queue_size = queue, .schedule_delay = std::chrono::milliseconds(50)})));
  }();
  return provider;
}

void BM_Span_StartEndWithAttributes(benchmark::State& state) {
  static Tracer tracer = MakeProvider()->GetTracer("bench");
  for (auto _ : state) {
    Span span = tracer.StartSpan("pricing.decide");
    span.SetAttribute("aura.item_id", "item-42").SetAttribute("aura.bid", 850.0).SetAttribute("aura.accepted", true);
  }
}
BENCHMARK(BM_Span_StartEndWithAttributes)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

// A span shaped like the hive's SQL spans: attribute keys and values too long
// for std::string's inline buffer, so each one is a heap allocation made on
// this thread and released after export on the processor's thread.
void BM_Span_StartEndSqlLike(benchmark::State& state) {
  static Tracer tracer = MakeProvider()->GetTracer("bench");
  for (auto _ : state) {
    Span span = tracer.StartSpan("INSERT negotiations", {.kind = SpanKind::kClient});
    span.SetAttribute("db.system.name", "sqlite")
        .SetAttribute("db.operation.name", "INSERT")
        .SetAttribute("db.collection.name", "negotiations")
        .SetAttribute("db.query.text",
                      "INSERT INTO negotiations (request_id, item_id, bid_amount, outcome) VALUES (?, ?, ?, ?)")
        .SetAttribute("aura.negotiation.request_id", "9f2c5e0a4b1d4c7e8a6b3d2f1e0c9b8a");
  }
}
BENCHMARK(BM_Span_StartEndSqlLike)->Threads(1)->Threads(2)->UseRealTime();

void BM_Span_StartEndNoop(benchmark::State& state) {
  Tracer tracer = GetTracer("bench.noop");  // no provider installed
  for (auto _ : state) {
    Span span = tracer.StartSpan("pricing.decide");
    span.SetAttribute("aura.item_id", "item-42").SetAttribute("aura.bid", 850.0);
  }
}
BENCHMARK(BM_Span_StartEndNoop);

void BM_Span_ScopedChild(benchmark::State& state) {
  static Tracer tracer = MakeProvider()->GetTracer("bench");
  auto parent = tracer.StartScopedSpan("parent");
  for (auto _ : state) {
    auto child = tracer.StartScopedSpan("child");
    child.SetAttribute("k", int64_t{1});
  }
}
BENCHMARK(BM_Span_ScopedChild);

void BM_BatchSpanProcessor_Throughput(benchmark::State& state) {
  BatchSpanProcessor bsp(std::make_unique<NullExporter>(),
                         {.max_queue_size = 1 << 16, .schedule_delay = std::chrono::milliseconds(5)});
  for (auto _ : state) {
    auto s = std::make_unique<SpanData>();
    s->context.trace_flags = kTraceFlagSampled;
    bsp.OnEnd(std::move(s));
  }
  bsp.ForceFlush(std::chrono::seconds(10));
  state.counters["dropped"] = static_cast<double>(bsp.dropped_spans());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BatchSpanProcessor_Throughput);

}  // namespace
}  // namespace aura::telemetry::sdk
