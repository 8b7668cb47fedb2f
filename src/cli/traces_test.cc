#include "cli/traces.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "cli/cli_app.h"
#include "cli/commands.h"

namespace aura::cli {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000'000;  // a unix time in ns
constexpr int64_t kMs = 1'000'000;

const std::string kTraceA(32, 'a');
const std::string kTraceB(32, 'b');

nlohmann::json SpanJson(const std::string& trace, const std::string& id, const std::string& parent,
                        const std::string& name, const std::string& service, int64_t start_ms,
                        int64_t end_ms, bool error = false) {
  return {{"name", name},
          {"trace_id", trace},
          {"span_id", id},
          {"parent_span_id", parent},
          {"kind", "internal"},
          {"start_time_unix_nano", kT0 + start_ms * kMs},
          {"end_time_unix_nano", kT0 + end_ms * kMs},
          {"status", {{"code", error ? "error" : "unset"}}},
          {"attributes", nlohmann::json::object()},
          {"service", service}};
}

TraceSpan Span(const std::string& trace, const std::string& id, const std::string& parent,
               const std::string& name, const std::string& service, int64_t start_ms, int64_t end_ms,
               bool error = false) {
  auto parsed = ParseTraceSpans(nlohmann::json::array(
      {SpanJson(trace, id, parent, name, service, start_ms, end_ms, error)}));
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed->front();
}

// The gateway's half and the core's half of one negotiation, as each serves it.
std::vector<TraceSpan> GatewayHalf() {
  return {Span(kTraceA, "g1", "", "POST /v1/negotiate", "aura-gateway", 0, 20),
          Span(kTraceA, "g2", "g1", "verify signature", "aura-gateway", 1, 3),
          Span(kTraceA, "g3", "g1", "CoreService/Negotiate", "aura-gateway", 4, 18)};
}
std::vector<TraceSpan> CoreHalf() {
  return {Span(kTraceA, "c1", "g3", "CoreService/Negotiate", "aura-core", 5, 17),
          Span(kTraceA, "c2", "c1", "store.get_item", "aura-core", 6, 8),
          Span(kTraceA, "c3", "c1", "pricing", "aura-core", 9, 16, /*error=*/true)};
}

TEST(ParseTraceSpans, ReadsTheDebugTracesShape) {
  nlohmann::json body = {
      {"traces",
       {{{"trace_id", kTraceA},
         {"root", "POST /v1/negotiate"},
         {"spans", {SpanJson(kTraceA, "g1", "", "POST /v1/negotiate", "aura-gateway", 0, 20),
                    SpanJson(kTraceA, "g2", "g1", "verify", "aura-gateway", 1, 3, true)}}}}}};
  auto spans = ParseTraceSpans(body);
  ASSERT_TRUE(spans.ok()) << spans.status().message();
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_EQ((*spans)[0].name, "POST /v1/negotiate");
  EXPECT_EQ((*spans)[0].service, "aura-gateway");
  EXPECT_EQ((*spans)[0].parent_span_id, "");
  EXPECT_EQ((*spans)[0].start_unix_nano, kT0);
  EXPECT_DOUBLE_EQ((*spans)[0].duration_ms(), 20.0);
  EXPECT_FALSE((*spans)[0].error);
  EXPECT_EQ((*spans)[1].parent_span_id, "g1");
  EXPECT_TRUE((*spans)[1].error);
}

TEST(ParseTraceSpans, AcceptsAFlatSpanList) {
  nlohmann::json body = {{"spans", {SpanJson(kTraceA, "g1", "", "x", "aura-core", 0, 1)}}};
  auto spans = ParseTraceSpans(body);
  ASSERT_TRUE(spans.ok());
  EXPECT_EQ(spans->size(), 1u);
}

TEST(ParseTraceSpans, RejectsOtherShapes) {
  EXPECT_FALSE(ParseTraceSpans(nlohmann::json{{"status", "ok"}}).ok());
  EXPECT_FALSE(ParseTraceSpans(nlohmann::json("text")).ok());
  EXPECT_FALSE(ParseTraceSpans(nlohmann::json{{"spans", {{{"name", "no ids"}}}}}).ok());
}

TEST(MergeSpans, DropsDuplicatesAndOrdersByStart) {
  auto merged = MergeSpans({CoreHalf(), GatewayHalf(), GatewayHalf()});
  ASSERT_EQ(merged.size(), 6u);
  for (size_t i = 1; i < merged.size(); ++i) {
    EXPECT_LE(merged[i - 1].start_unix_nano, merged[i].start_unix_nano);
  }
  EXPECT_EQ(merged.front().span_id, "g1");
}

TEST(GroupTraces, OneSummaryPerTraceNewestFirst) {
  std::vector<TraceSpan> other = {Span(kTraceB, "b1", "", "GET /health", "aura-gateway", 100, 101)};
  auto traces = GroupTraces(MergeSpans({GatewayHalf(), CoreHalf(), other}));
  ASSERT_EQ(traces.size(), 2u);
  EXPECT_EQ(traces[0].trace_id, kTraceB);  // started last
  EXPECT_EQ(traces[0].span_count, 1u);
  EXPECT_FALSE(traces[0].error);
  const TraceSummary& a = traces[1];
  EXPECT_EQ(a.trace_id, kTraceA);
  EXPECT_EQ(a.root_name, "POST /v1/negotiate");
  EXPECT_EQ(a.services, (std::vector<std::string>{"aura-core", "aura-gateway"}));
  EXPECT_EQ(a.span_count, 6u);
  EXPECT_DOUBLE_EQ(a.duration_ms(), 20.0);
  EXPECT_TRUE(a.error);
}

TEST(GroupTraces, RootIsTheEarliestSpanWithoutAParentInTheSet) {
  // Only the core answered: its server span's parent lives in the gateway.
  auto traces = GroupTraces(CoreHalf());
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0].root_name, "CoreService/Negotiate");
  EXPECT_EQ(traces[0].services, std::vector<std::string>{"aura-core"});
}

TEST(BuildWaterfall, FollowsParentLinksAcrossServices) {
  auto spans = MergeSpans({CoreHalf(), GatewayHalf()});
  auto rows = BuildWaterfall(spans);
  ASSERT_EQ(rows.size(), 6u);
  std::vector<std::pair<std::string, int>> got;
  for (const auto& r : rows) got.emplace_back(r.span->span_id, r.depth);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{
                     {"g1", 0}, {"g2", 1}, {"g3", 1}, {"c1", 2}, {"c2", 3}, {"c3", 3}}));
  for (const auto& r : rows) EXPECT_FALSE(r.parent_missing);
}

TEST(BuildWaterfall, OrdersSiblingsByStartWhateverTheInputOrder) {
  std::vector<TraceSpan> spans = {Span(kTraceA, "r", "", "root", "s", 0, 10),
                                  Span(kTraceA, "late", "r", "late", "s", 6, 9),
                                  Span(kTraceA, "early", "r", "early", "s", 1, 5)};
  auto rows = BuildWaterfall(spans);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].span->span_id, "early");
  EXPECT_EQ(rows[2].span->span_id, "late");
}

TEST(BuildWaterfall, MissingParentStartsATreeAndIsFlagged) {
  auto rows = BuildWaterfall(CoreHalf());  // the gateway's spans are missing
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].span->span_id, "c1");
  EXPECT_EQ(rows[0].depth, 0);
  EXPECT_TRUE(rows[0].parent_missing);
  EXPECT_EQ(rows[1].depth, 1);
  EXPECT_FALSE(rows[1].parent_missing);
}

TEST(BuildWaterfall, CyclicLinksStillShowEverySpanOnce) {
  std::vector<TraceSpan> spans = {Span(kTraceA, "x", "y", "x", "s", 0, 2),
                                  Span(kTraceA, "y", "x", "y", "s", 1, 3),
                                  Span(kTraceA, "z", "z", "self", "s", 2, 3)};
  auto rows = BuildWaterfall(spans);
  ASSERT_EQ(rows.size(), 3u);
  std::set<std::string> ids;
  for (const auto& r : rows) ids.insert(r.span->span_id);
  EXPECT_EQ(ids.size(), 3u);
}

TEST(ScaleBar, ScalesToTheTraceDuration) {
  EXPECT_EQ(ScaleBar(0, 100, 0, 100, 10), "##########");
  EXPECT_EQ(ScaleBar(0, 50, 0, 100, 10), "#####     ");
  EXPECT_EQ(ScaleBar(50, 100, 0, 100, 10), "     #####");
  EXPECT_EQ(ScaleBar(20, 40, 0, 100, 10), "  ##      ");
}

TEST(ScaleBar, ShortSpansGetOneCellAndStayInside) {
  EXPECT_EQ(ScaleBar(10, 11, 0, 1000, 10), "#         ");
  EXPECT_EQ(ScaleBar(1000, 1000, 0, 1000, 10), "         #");
  EXPECT_EQ(ScaleBar(5, 5, 5, 5, 4), "####");  // a zero-length trace
  EXPECT_EQ(ScaleBar(0, 1, 0, 1, 0), "");
}

TEST(FormatWaterfall, IndentsByDepthAndMarksErrors) {
  auto spans = MergeSpans({GatewayHalf(), CoreHalf()});
  std::string text = FormatWaterfall(spans, {.style = Style(false), .bars = false});
  EXPECT_NE(text.find("trace " + kTraceA), std::string::npos) << text;
  EXPECT_NE(text.find("\nPOST /v1/negotiate "), std::string::npos) << text;
  EXPECT_NE(text.find("\n    CoreService/Negotiate  aura-core"), std::string::npos) << text;
  EXPECT_NE(text.find("\n      pricing"), std::string::npos) << text;
  EXPECT_NE(text.find("20.00 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("ERROR"), std::string::npos) << text;
  EXPECT_EQ(text.find('|'), std::string::npos) << "no bars when plain: " << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 7);
}

TEST(FormatWaterfall, DrawsBarsWhenAsked) {
  std::vector<TraceSpan> spans = {Span(kTraceA, "r", "", "root", "s", 0, 10),
                                  Span(kTraceA, "c", "r", "child", "s", 5, 10)};
  std::string text = FormatWaterfall(spans, {.style = Style(false), .bars = true, .bar_width = 10});
  EXPECT_NE(text.find("|##########|"), std::string::npos) << text;
  EXPECT_NE(text.find("|     #####|"), std::string::npos) << text;
}

TEST(FormatWaterfall, NarrowsTheBarToFitTheLine) {
  std::vector<TraceSpan> spans = {Span(kTraceA, "r", "", "root", "s", 0, 10)};
  WaterfallOptions options{.style = Style(false), .bars = true, .bar_width = 40, .max_line_width = 50};
  std::string text = FormatWaterfall(spans, options);
  std::string row = text.substr(text.find('\n') + 1);
  row.pop_back();  // the newline
  EXPECT_LE(row.size(), 50u) << row;
  EXPECT_NE(row.find("|##########"), std::string::npos) << row;
  options.max_line_width = 20;  // never below 10 cells
  text = FormatWaterfall(spans, options);
  EXPECT_NE(text.find("|##########|"), std::string::npos) << text;
}

TEST(FormatWaterfall, NamesAMissingParent) {
  std::string text = FormatWaterfall(CoreHalf(), {});
  EXPECT_NE(text.find("(parent g3 not found)"), std::string::npos) << text;
}

TEST(FormatWaterfall, NamesTheOtherTracesASpanLinksTo) {
  auto parsed = ParseTraceSpans(nlohmann::json::parse(R"({"spans":[
    {"trace_id":"aa","span_id":"s1","name":"INSERT negotiations","start_time_unix_nano":"1","end_time_unix_nano":"2",
     "links":[{"trace_id":"bb","span_id":"l1","attributes":{}},{"trace_id":"aa","span_id":"s0","attributes":{}},
              "not an object"]}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].linked_traces, std::vector<std::string>{"bb"});  // a link inside the trace is not listed
  std::string text = FormatWaterfall(*parsed, {});
  EXPECT_NE(text.find("INSERT negotiations"), std::string::npos) << text;
  EXPECT_NE(text.find("(link: trace bb)"), std::string::npos) << text;
}

TEST(FormatTraceList, OneLinePerTraceWithTimeRootServicesAndErrorMark) {
  std::vector<TraceSpan> other = {Span(kTraceB, "b1", "", "GET /health", "aura-gateway", 100, 101)};
  auto traces = GroupTraces(MergeSpans({GatewayHalf(), CoreHalf(), other}));
  std::string text = FormatTraceList(traces, Style(false));
  std::istringstream lines(text);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_NE(header.find("TRACE ID"), std::string::npos);
  EXPECT_EQ(first.rfind("22:13:20.100  " + kTraceB, 0), 0u) << first;
  EXPECT_EQ(first.find("ERROR"), std::string::npos);
  EXPECT_NE(second.find(kTraceA), std::string::npos);
  EXPECT_NE(second.find("POST /v1/negotiate"), std::string::npos);
  EXPECT_NE(second.find("aura-core,aura-gateway"), std::string::npos);
  EXPECT_NE(second.find("    6"), std::string::npos) << second;
  EXPECT_NE(second.find("20.00 ms  ERROR"), std::string::npos) << second;
}

TEST(NormalizeTraceId, LowerCasesAndRejectsNonIds) {
  auto id = NormalizeTraceId("4BF92F3577B34DA6A3CE929D0E0E4736");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(NormalizeTraceId("4bf92f").ok());
  EXPECT_FALSE(NormalizeTraceId("zzf92f3577b34da6a3ce929d0e0e4736").ok());
}

TEST(TracesCommandLine, ParsesTheTraceIdAndOptions) {
  auto inv = ParseCommandLine({"aura", "traces", "4BF92F3577B34DA6A3CE929D0E0E4736", "--core-metrics",
                               "http://127.0.0.1:9999", "--json"});
  ASSERT_TRUE(inv.ok()) << inv.status().message();
  EXPECT_EQ(inv->command, Command::kTraces);
  EXPECT_EQ(inv->traces.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(inv->traces.core_metrics_url, "http://127.0.0.1:9999");
  EXPECT_TRUE(inv->global.json);
  EXPECT_EQ(TracesQueryString(inv->traces), "?trace_id=4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(ParseCommandLine({"aura", "traces", "nope"}).ok());
}

TEST(TracesCommandLine, ListAsksForTheLimitOrMoreWhenFiltering) {
  auto inv = ParseCommandLine({"aura", "traces", "-n", "5"});
  ASSERT_TRUE(inv.ok()) << inv.status().message();
  EXPECT_EQ(TracesQueryString(inv->traces), "?limit=55");
  inv->traces.errors_only = true;
  EXPECT_EQ(TracesQueryString(inv->traces), "?limit=500");
  inv->traces.limit = 1000;
  EXPECT_EQ(TracesQueryString(inv->traces), "?limit=1000");
}

}  // namespace
}  // namespace aura::cli
