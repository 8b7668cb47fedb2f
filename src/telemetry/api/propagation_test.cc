#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "telemetry/api/propagator.h"
#include "telemetry/api/trace_state.h"

namespace aura::telemetry {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSpanId[] = "00f067aa0ba902b7";

std::optional<SpanContext> Parse(std::string_view v) { return TraceContextPropagator::ParseTraceparent(v); }

Context ExtractFrom(const Headers& h) {
  Headers copy = h;
  HeaderMapCarrier carrier(copy);
  return GlobalPropagator().Extract(carrier, Context{});
}

TEST(TraceContextPropagator, ParsesValidVersion00) {
  auto sc = Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-01");
  ASSERT_TRUE(sc);
  EXPECT_EQ(sc->trace_id.ToHex(), kTraceId);
  EXPECT_EQ(sc->span_id.ToHex(), kSpanId);
  EXPECT_TRUE(sc->IsSampled());
  EXPECT_TRUE(sc->is_remote);
}

TEST(TraceContextPropagator, TrimsSpacesAndTabsAtBothEnds) {
  EXPECT_TRUE(Parse(std::string(" \t00-") + kTraceId + "-" + kSpanId + "-01 \t"));
}

TEST(TraceContextPropagator, RejectsUppercaseHex) {
  EXPECT_FALSE(Parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(Parse(std::string("00-") + kTraceId + "-00F067AA0BA902B7-01"));
  EXPECT_FALSE(Parse(std::string("0A-") + kTraceId + "-" + kSpanId + "-01"));
  EXPECT_FALSE(Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-0A"));
}

TEST(TraceContextPropagator, RejectsAllZeroIds) {
  EXPECT_FALSE(Parse(std::string("00-00000000000000000000000000000000-") + kSpanId + "-01"));
  EXPECT_FALSE(Parse(std::string("00-") + kTraceId + "-0000000000000000-01"));
}

TEST(TraceContextPropagator, RejectsVersionFfAndTrailingDataOnVersion00) {
  EXPECT_FALSE(Parse(std::string("ff-") + kTraceId + "-" + kSpanId + "-01"));
  EXPECT_FALSE(Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-01-x"));
  EXPECT_FALSE(Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-01."));
}

TEST(TraceContextPropagator, RejectsBadLayout) {
  EXPECT_FALSE(Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-1"));
  EXPECT_FALSE(Parse(std::string("00_") + kTraceId + "-" + kSpanId + "-01"));
  EXPECT_FALSE(Parse(std::string("00-") + kTraceId + "_" + kSpanId + "-01"));
  EXPECT_FALSE(Parse(""));
  EXPECT_FALSE(Parse(std::string("0-") + kTraceId + "-" + kSpanId + "-01"));
}

TEST(TraceContextPropagator, HigherVersionParsesPrefixAndReemitsAs00) {
  auto exact = Parse(std::string("cc-") + kTraceId + "-" + kSpanId + "-01");
  ASSERT_TRUE(exact);
  auto extended = Parse(std::string("cc-") + kTraceId + "-" + kSpanId + "-01-what-the-future-holds");
  ASSERT_TRUE(extended);
  EXPECT_FALSE(Parse(std::string("cc-") + kTraceId + "-" + kSpanId + "-01.x"));
  EXPECT_FALSE(Parse(std::string("cc-") + kTraceId + "-" + kSpanId));
  EXPECT_EQ(TraceContextPropagator::FormatTraceparent(*extended),
            std::string("00-") + kTraceId + "-" + kSpanId + "-01");
}

TEST(TraceContextPropagator, InvalidTraceparentIgnoresTracestate) {
  Context c = ExtractFrom({{"traceparent", "00-xyz"}, {"tracestate", "a=1"}});
  EXPECT_FALSE(c.span_context.IsValid());
  EXPECT_TRUE(c.span_context.trace_state.empty());
}

TEST(TraceContextPropagator, TwoTraceparentFieldsAreInvalid) {
  std::string tp = std::string("00-") + kTraceId + "-" + kSpanId + "-01";
  Context c = ExtractFrom({{"traceparent", tp}, {"traceparent", tp}});
  EXPECT_FALSE(c.span_context.IsValid());
}

TEST(TraceContextPropagator, HeaderNamesAreCaseInsensitiveOnExtract) {
  std::string tp = std::string("00-") + kTraceId + "-" + kSpanId + "-01";
  Context c = ExtractFrom({{"TraceParent", tp}, {"TRACESTATE", "a=1"}});
  ASSERT_TRUE(c.span_context.IsValid());
  EXPECT_EQ(c.span_context.trace_state, "a=1");
}

TEST(TraceContextPropagator, FlagsBits2To7AreWrittenAsZero) {
  auto sc = Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-ff");
  ASSERT_TRUE(sc);
  EXPECT_TRUE(sc->IsSampled());
  EXPECT_EQ(TraceContextPropagator::FormatTraceparent(*sc), std::string("00-") + kTraceId + "-" + kSpanId + "-03");
}

TEST(TraceContextPropagator, InjectsLowercaseNamesOnlyForValidContext) {
  Headers out;
  HeaderMapCarrier carrier(out);
  TraceContextPropagator p;
  p.Inject(carrier, Context{});
  EXPECT_TRUE(out.empty());
  Context c;
  c.span_context = *Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-00");
  c.span_context.trace_state = "k=v";
  p.Inject(carrier, c);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first, "traceparent");
  EXPECT_EQ(out[0].second, std::string("00-") + kTraceId + "-" + kSpanId + "-00");
  EXPECT_EQ(out[1].first, "tracestate");
  EXPECT_EQ(out[1].second, "k=v");
}

TEST(TraceContextPropagator, OmitsEmptyTracestate) {
  Headers out;
  HeaderMapCarrier carrier(out);
  Context c;
  c.span_context = *Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-01");
  TraceContextPropagator().Inject(carrier, c);
  ASSERT_EQ(out.size(), 1u);
}

TEST(TraceState, AcceptsUpTo32MembersAndRejectsMore) {
  std::string h;
  for (int i = 0; i < 32; ++i) h += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  ASSERT_TRUE(TraceState::Parse(h));
  EXPECT_EQ(TraceState::Parse(h)->members().size(), 32u);
  EXPECT_FALSE(TraceState::Parse(h + ",k32=v"));
}

TEST(TraceState, ValidatesKeysAndValues) {
  EXPECT_TRUE(TraceState::Parse("a-b_c*d/e@f=v"));
  EXPECT_TRUE(TraceState::Parse("0abc=v"));
  EXPECT_FALSE(TraceState::Parse("Abc=v"));
  EXPECT_FALSE(TraceState::Parse("_a=v"));
  EXPECT_FALSE(TraceState::Parse(std::string(257, 'a') + "=v"));
  EXPECT_TRUE(TraceState::Parse(std::string(256, 'a') + "=v"));
  EXPECT_FALSE(TraceState::Parse("a="));
  EXPECT_TRUE(TraceState::Parse("a=x "));  // trailing OWS belongs to the list, not the value
  EXPECT_FALSE(TraceState::IsValidValue("x "));
  EXPECT_TRUE(TraceState::Parse("a=x y"));
  EXPECT_FALSE(TraceState::Parse("a=b=c"));
  EXPECT_FALSE(TraceState::Parse("a=\x7f"));
  EXPECT_TRUE(TraceState::Parse("a=" + std::string(256, 'x')));
  EXPECT_FALSE(TraceState::Parse("a=" + std::string(257, 'x')));
  EXPECT_FALSE(TraceState::Parse("a"));
}

TEST(TraceState, ToleratesEmptyMembersAndWhitespace) {
  auto ts = TraceState::Parse("a=1, ,\tb=2 ,");
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->ToHeader(), "a=1,b=2");
  EXPECT_TRUE(TraceState::Parse(""));
}

TEST(TraceState, MultipleFieldsJoinInOrderAndDuplicateKeepsFirst) {
  std::string tp = std::string("00-") + kTraceId + "-" + kSpanId + "-01";
  Context c = ExtractFrom({{"traceparent", tp}, {"tracestate", "a=1,b=2"}, {"tracestate", "c=3,a=9"}});
  EXPECT_EQ(c.span_context.trace_state, "a=1,b=2,c=3");
}

TEST(TraceState, InvalidTracestateIsDiscardedButTraceparentKept) {
  std::string tp = std::string("00-") + kTraceId + "-" + kSpanId + "-01";
  Context c = ExtractFrom({{"traceparent", tp}, {"tracestate", "a=1,B=2"}});
  EXPECT_TRUE(c.span_context.IsValid());
  EXPECT_EQ(c.span_context.trace_state, "");
}

TEST(TraceState, SetMovesKeyLeftAndDropsRightmostBeyond32) {
  auto ts = *TraceState::Parse("a=1,b=2,c=3");
  EXPECT_EQ(ts.Set("b", "9").ToHeader(), "b=9,a=1,c=3");
  EXPECT_EQ(ts.Set("z", "0").ToHeader(), "z=0,a=1,b=2,c=3");
  EXPECT_EQ(ts.Delete("a").ToHeader(), "b=2,c=3");
  EXPECT_EQ(ts.Set("B", "1").ToHeader(), "a=1,b=2,c=3");  // invalid key: unchanged
  std::string h;
  for (int i = 0; i < 32; ++i) h += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  TraceState full = *TraceState::Parse(h);
  TraceState added = full.Set("new", "v");
  EXPECT_EQ(added.members().size(), 32u);
  EXPECT_EQ(added.members().front().first, "new");
  EXPECT_EQ(added.members().back().first, "k30");
}

TEST(BaggagePropagator, ParsesMembersWithOwsPropertiesAndEqualsInValue) {
  Baggage b = BaggagePropagator::ParseHeader(" k1 = v1 ; p1 = x ;flag , k2=a=b,k3=%20hi%2C");
  EXPECT_EQ(b.Get("k1"), "v1");
  EXPECT_EQ(b.Get("k2"), "a=b");
  EXPECT_EQ(b.Get("k3"), " hi,");
  ASSERT_EQ(b.entries().size(), 3u);
  EXPECT_EQ(b.entries()[0].metadata, "p1=x;flag");
}

TEST(BaggagePropagator, InvalidUtf8BecomesReplacementCharacter) {
  Baggage b = BaggagePropagator::ParseHeader("k=%FFok");
  EXPECT_EQ(b.Get("k"), "\xEF\xBF\xBDok");
}

TEST(BaggagePropagator, SkipsMalformedMembersKeepsValid) {
  Baggage b = BaggagePropagator::ParseHeader("good=1,bad key=2,noequals,=x,also=ok,q=a\"b");
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.Get("good"), "1");
  EXPECT_EQ(b.Get("also"), "ok");
}

TEST(BaggagePropagator, SameKeyTwiceLaterWins) {
  Baggage b = BaggagePropagator::ParseHeader("k=1,k=2");
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.Get("k"), "2");
}

TEST(BaggagePropagator, PercentEncodesOnInject) {
  Baggage b = Baggage().Set("user", "a b,c;d%\xC3\xA9").Set("x", "1", "prop=1");
  EXPECT_EQ(BaggagePropagator::FormatHeader(b), "user=a%20b%2Cc%3Bd%25%C3%A9,x=1;prop=1");
  // Round trip.
  Baggage back = BaggagePropagator::ParseHeader(BaggagePropagator::FormatHeader(b));
  EXPECT_EQ(back.Get("user"), "a b,c;d%\xC3\xA9");
  EXPECT_EQ(back.entries()[1].metadata, "prop=1");
}

TEST(BaggagePropagator, Carries64MembersAnd8192Bytes) {
  std::string h;
  for (int i = 0; i < 64; ++i) h += (i ? "," : "") + std::string("key") + std::to_string(i) + "=" + std::string(100, 'v');
  EXPECT_EQ(BaggagePropagator::ParseHeader(h).size(), 64u);
  std::string big = "k=" + std::string(8190, 'v');
  EXPECT_EQ(BaggagePropagator::ParseHeader(big).size(), 1u);
  // Beyond the limit whole members are dropped, never cut.
  Baggage over = BaggagePropagator::ParseHeader(big + ",k2=v");
  EXPECT_EQ(over.size(), 1u);
  EXPECT_EQ(over.Get("k")->size(), 8190u);
}

TEST(BaggagePropagator, MultipleHeadersCombine) {
  Context c = ExtractFrom({{"baggage", "a=1"}, {"Baggage", "b=2"}});
  EXPECT_EQ(c.baggage.Get("a"), "1");
  EXPECT_EQ(c.baggage.Get("b"), "2");
}

TEST(CompositePropagator, DefaultGlobalIsTraceContextAndBaggage) {
  auto fields = GlobalPropagator().Fields();
  EXPECT_EQ(fields, (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
}

TEST(CompositePropagator, ListIsDeduplicatedAndNoneDisables) {
  std::vector<std::string> unknown;
  auto p = MakePropagator("tracecontext, baggage,tracecontext,xray", &unknown);
  EXPECT_EQ(p->Fields(), (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
  EXPECT_EQ(unknown, std::vector<std::string>{"xray"});
  EXPECT_TRUE(MakePropagator("none")->Fields().empty());
  EXPECT_TRUE(MakePropagator("tracecontext,none")->Fields().empty());
}

TEST(CompositePropagator, RoundTripsThroughMultimapCarrier) {
  std::multimap<std::string, std::string> md;
  HeaderMapCarrier out(md);
  Context c;
  c.span_context = *Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-01");
  c.baggage = Baggage().Set("tenant", "acme");
  InjectContext(out, c);
  EXPECT_EQ(md.count("traceparent"), 1u);
  EXPECT_EQ(md.count("baggage"), 1u);
  const auto& cmd = md;
  HeaderMapCarrier in(cmd);
  Context back = ExtractContext(in);
  EXPECT_EQ(back.span_context.trace_id, c.span_context.trace_id);
  EXPECT_TRUE(back.span_context.is_remote);
  EXPECT_EQ(back.baggage.Get("tenant"), "acme");
}

struct FakeClientContext {
  std::vector<std::pair<std::string, std::string>> metadata;
  void AddMetadata(const std::string& k, const std::string& v) { metadata.emplace_back(k, v); }
};

TEST(GrpcClientContextCarrier, AddsMetadata) {
  FakeClientContext ctx;
  GrpcClientContextCarrier carrier(ctx);
  Context c;
  c.span_context = *Parse(std::string("00-") + kTraceId + "-" + kSpanId + "-01");
  InjectContext(carrier, c);
  ASSERT_EQ(ctx.metadata.size(), 1u);
  EXPECT_EQ(ctx.metadata[0].first, "traceparent");
}

}  // namespace
}  // namespace aura::telemetry
