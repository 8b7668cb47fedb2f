#include "telemetry/exporters/memory/in_memory_span_exporter.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "telemetry/exporters/console/console_span_exporter.h"
#include "telemetry/exporters/memory/recent_span_store.h"

namespace aura::telemetry::exporters {
namespace {

std::vector<std::unique_ptr<sdk::SpanData>> Spans(std::initializer_list<const char*> names) {
  std::vector<std::unique_ptr<sdk::SpanData>> v;
  uint8_t n = 1;
  for (const char* name : names) {
    auto s = std::make_unique<sdk::SpanData>();
    s->name = name;
    s->context.trace_id.bytes[0] = 1;
    s->context.span_id.bytes[0] = n++;
    s->start_unix_nanos = 1000;
    s->end_unix_nanos = 2000000;
    v.push_back(std::move(s));
  }
  return v;
}

TEST(InMemorySpanExporter, KeepsOrderResetsAndFailsAfterShutdown) {
  InMemorySpanExporter e;
  auto data = e.data();
  EXPECT_EQ(e.Export(Spans({"a", "b"})), sdk::ExportResult::kSuccess);
  EXPECT_EQ(e.Export(Spans({"c"})), sdk::ExportResult::kSuccess);
  auto got = data->GetSpans();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].name, "a");
  EXPECT_EQ(got[2].name, "c");
  data->Reset();
  EXPECT_EQ(data->size(), 0u);
  e.Shutdown(std::chrono::milliseconds(0));
  EXPECT_EQ(e.Export(Spans({"d"})), sdk::ExportResult::kFailure);
  EXPECT_EQ(data->size(), 0u);
}

TEST(ConsoleSpanExporter, WritesOneJsonLinePerSpan) {
  std::vector<std::string> lines;
  ConsoleSpanExporter e([&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(e.Export(Spans({"a", "b"})), sdk::ExportResult::kSuccess);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].front(), '{');
  EXPECT_NE(lines[0].find("\"name\":\"a\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"trace_id\":\"01000000000000000000000000000000\""), std::string::npos);
  e.Shutdown(std::chrono::milliseconds(0));
  EXPECT_EQ(e.Export(Spans({"c"})), sdk::ExportResult::kFailure);
}

TEST(RecentSpanStore, IsBoundedAndFiltersByTraceAndDuration) {
  RecentSpanStore store(3);
  auto exporter = MakeRecentSpanStoreExporter(std::shared_ptr<RecentSpanStore>(&store, [](RecentSpanStore*) {}));
  exporter->Export(Spans({"a", "b", "c", "d"}));
  EXPECT_EQ(store.size(), 3u);
  std::string all = store.QueryJson({});
  EXPECT_EQ(all.find("\"name\":\"a\""), std::string::npos);  // oldest went first
  EXPECT_NE(all.find("\"span_count\":3"), std::string::npos);
  EXPECT_NE(store.QueryJson({.trace_id = "01000000000000000000000000000000"}).find("\"trace_id\""), std::string::npos);
  EXPECT_EQ(store.QueryJson({.trace_id = "ff000000000000000000000000000000"}), "{\"traces\":[]}");
  EXPECT_NE(store.QueryJson({.min_duration_ms = 1.0}).find("span_count"), std::string::npos);
  EXPECT_EQ(store.QueryJson({.min_duration_ms = 5.0}), "{\"traces\":[]}");
  EXPECT_EQ(store.QueryJson({.errors_only = true}), "{\"traces\":[]}");
  store.Clear();
  EXPECT_EQ(store.size(), 0u);
}

// A span of trace `trace` (its id's random low half) ending in second `second`.
sdk::SpanData SpanAt(uint64_t trace, int64_t second, StatusCode status = StatusCode::kUnset) {
  sdk::SpanData s;
  s.name = "op";
  s.context.trace_id.bytes[0] = 1;
  for (int i = 0; i < 8; ++i) s.context.trace_id.bytes[15 - i] = static_cast<uint8_t>(trace >> (8 * i));
  s.context.span_id.bytes[0] = 1;
  s.start_unix_nanos = second * 1'000'000'000;
  s.end_unix_nanos = s.start_unix_nanos + 1000;
  s.status = status;
  return s;
}

// A span of trace `trace` in second `second` under a parent: remote (the
// service's local root, like the core's gRPC server span) or local (a child).
sdk::SpanData ChildAt(uint64_t trace, int64_t second, bool remote_parent) {
  sdk::SpanData s = SpanAt(trace, second);
  s.parent_span_id.bytes[0] = 2;
  s.parent_is_remote = remote_parent;
  return s;
}

TEST(RecentSpanStore, TheRateIsCountedInTracesNotSpans) {
  // 100 traces a second of seven spans each: 700 spans, but within 100 traces.
  RecentSpanStore store(10'000, /*admit_traces_per_second=*/100);
  std::mt19937_64 rng(5);
  for (int64_t second = 1'700'000'000; second < 1'700'000'003; ++second) {
    for (int i = 0; i < 100; ++i) {
      const uint64_t trace = rng();
      store.Add(ChildAt(trace, second, /*remote_parent=*/true));
      for (int c = 0; c < 6; ++c) store.Add(ChildAt(trace, second, /*remote_parent=*/false));
    }
  }
  EXPECT_EQ(store.size(), 2100u);
  EXPECT_EQ(store.sampled_out(), 0u);
}

TEST(RecentSpanStore, ServicesWithMoreSpansPerTraceKeepTheSameTraces) {
  // The gateway's half of each trace has three spans, the core's seven; both
  // see the same 400 traces a second and keep a sample of them.
  RecentSpanStore gateway(100'000, /*admit_traces_per_second=*/100);
  RecentSpanStore core(100'000, /*admit_traces_per_second=*/100);
  std::mt19937_64 rng(13);
  const int64_t first = 1'700'000'000;
  for (int64_t second = first; second < first + 3; ++second) {
    for (int i = 0; i < 400; ++i) {
      const uint64_t trace = rng();
      gateway.Add(SpanAt(trace, second));
      for (int c = 0; c < 2; ++c) gateway.Add(ChildAt(trace, second, false));
      core.Add(ChildAt(trace, second, true));
      for (int c = 0; c < 6; ++c) core.Add(ChildAt(trace, second, false));
    }
  }
  // Past the first second both keep about a quarter; the same traces, whole.
  const uint64_t gateway_out = gateway.sampled_out(), core_out = core.sampled_out();
  EXPECT_GT(gateway_out, 0u);
  EXPECT_EQ(gateway_out % 3, 0u);
  EXPECT_EQ(core_out % 7, 0u);
  EXPECT_EQ(gateway_out / 3, core_out / 7);
}

TEST(RecentSpanStore, KeepsEverySpanBelowTheAdmissionRate) {
  RecentSpanStore store(10'000, /*admit_traces_per_second=*/100);
  std::mt19937_64 rng(7);
  for (int64_t second = 1'700'000'000; second < 1'700'000'005; ++second) {
    for (int i = 0; i < 100; ++i) store.Add(SpanAt(rng(), second));
  }
  EXPECT_EQ(store.size(), 500u);
  EXPECT_EQ(store.sampled_out(), 0u);
}

TEST(RecentSpanStore, SamplesWholeTracesByIdAboveTheRateAndKeepsErrors) {
  RecentSpanStore store(100'000, /*admit_traces_per_second=*/1000);
  std::mt19937_64 rng(11);
  const int64_t first = 1'700'000'000;
  for (int i = 0; i < 4000; ++i) store.Add(SpanAt(rng(), first));  // measured: 4 000/s
  EXPECT_EQ(store.size(), 4000u);  // the first second is kept whole
  // The next second admits about a quarter of the traces, each with both its spans.
  std::map<uint64_t, int> kept_spans;
  size_t before = store.size();
  size_t kept_traces = 0;
  for (int i = 0; i < 2000; ++i) {
    uint64_t trace = rng();
    size_t at = store.size();
    store.Add(SpanAt(trace, first + 1));
    store.Add(SpanAt(trace, first + 1));
    size_t added = store.size() - at;
    EXPECT_TRUE(added == 0 || added == 2) << "a trace was split";
    if (added == 2) ++kept_traces;
  }
  EXPECT_GT(kept_traces, 400u);
  EXPECT_LT(kept_traces, 600u);
  EXPECT_EQ(store.sampled_out(), 4000u - 2 * kept_traces);
  // Errors are kept whatever their trace id.
  before = store.size();
  for (int i = 0; i < 100; ++i) store.Add(SpanAt(rng(), first + 1, StatusCode::kError));
  EXPECT_EQ(store.size(), before + 100);
  // A quiet second later, everything is kept again.
  for (int i = 0; i < 10; ++i) store.Add(SpanAt(rng(), first + 10));
  EXPECT_EQ(store.size(), before + 110);
}

}  // namespace
}  // namespace aura::telemetry::exporters
