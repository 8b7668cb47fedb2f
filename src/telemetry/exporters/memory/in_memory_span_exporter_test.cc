#include "telemetry/exporters/memory/in_memory_span_exporter.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace aura::telemetry::exporters
