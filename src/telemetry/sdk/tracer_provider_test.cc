#include "telemetry/sdk/tracer_provider.h"

#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/log/log.h"
#include "telemetry/api/log_context.h"
#include "telemetry/api/propagator.h"
#include "telemetry/exporters/memory/in_memory_span_exporter.h"
#include "telemetry/sdk/resource.h"
#include "telemetry/sdk/simple_span_processor.h"

namespace aura::telemetry::sdk {
namespace {

using exporters::InMemorySpanData;
using exporters::InMemorySpanExporter;

// A processor that records what it sees (for RECORD_ONLY checks).
class CountingProcessor final : public SpanProcessor {
 public:
  void OnStart(SpanData&, const SpanContext*) noexcept override { ++started; }
  void OnEnd(std::unique_ptr<SpanData>) noexcept override { ++ended; }
  bool ForceFlush(std::chrono::milliseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::milliseconds) noexcept override { return true; }
  std::atomic<int> started{0}, ended{0};
};

class RecordOnlySampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const SpanContext*, const TraceId&, std::string_view, SpanKind) const noexcept override {
    return {SamplingDecision::kRecordOnly, ""};
  }
  std::string Description() const override { return "RecordOnly"; }
};

struct Fixture {
  explicit Fixture(TracerProviderOptions options = {}) {
    auto exporter = std::make_unique<InMemorySpanExporter>();
    spans = exporter->data();
    if (options.health == nullptr) options.health = std::make_shared<PipelineHealth>();
    auto processor = std::make_unique<SimpleSpanProcessor>(std::move(exporter), options.health);
    provider = std::make_shared<TracerProvider>(std::move(options), MakeProcessors(std::move(processor)));
    tracer = provider->GetTracer("aura.test", "1.2");
  }
  std::vector<SpanData> Ended() { return spans->GetSpans(); }
  std::shared_ptr<InMemorySpanData> spans;
  std::shared_ptr<TracerProvider> provider;
  Tracer tracer;
};

TEST(TracerProvider, RootSpanGetsFreshIdsAndNoParent) {
  Fixture f;
  SpanContext ctx;
  {
    Span span = f.tracer.StartSpan("root");
    ctx = span.context();
    EXPECT_TRUE(span.IsRecording());
  }
  auto spans = f.Ended();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(ctx.IsValid());
  EXPECT_FALSE(ctx.is_remote);
  EXPECT_EQ(ctx.trace_flags, kTraceFlagSampled);  // root: sampled bit only, no random bit
  EXPECT_FALSE(spans[0].HasParent());
  EXPECT_EQ(spans[0].kind, SpanKind::kInternal);
  EXPECT_EQ(spans[0].scope->name, "aura.test");
  EXPECT_EQ(spans[0].scope->version, "1.2");
  EXPECT_GT(spans[0].end_unix_nanos, 0);
  EXPECT_GE(spans[0].end_unix_nanos, spans[0].start_unix_nanos);
}

TEST(TracerProvider, ChildrenInheritTraceIdAndTracestateViaScope) {
  Fixture f;
  auto parent = f.tracer.StartScopedSpan("parent");
  Span child = f.tracer.StartSpan("child");
  EXPECT_EQ(child.context().trace_id, parent.context().trace_id);
  EXPECT_NE(child.context().span_id, parent.context().span_id);
  child.End();
  auto spans = f.Ended();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].parent_span_id, parent.context().span_id);
  EXPECT_FALSE(spans[0].parent_is_remote);
}

TEST(TracerProvider, RemoteParentFromExtractContinuesTraceWithRandomBitCopied) {
  Fixture f;
  std::vector<std::pair<std::string, std::string>> headers = {
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03"}, {"tracestate", "v=1"}};
  HeaderMapCarrier carrier(headers);
  Context parent = ExtractContext(carrier);
  {
    auto span = f.tracer.StartScopedSpan("server", {.kind = SpanKind::kServer, .parent = &parent.span_context});
    EXPECT_EQ(span.context().trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(span.context().trace_flags, kTraceFlagSampled | kTraceFlagRandom);
    EXPECT_EQ(span.context().trace_state, "v=1");
    EXPECT_FALSE(span.context().is_remote);
    std::vector<std::pair<std::string, std::string>> out;
    HeaderMapCarrier out_carrier(out);
    InjectContext(out_carrier);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0].second, "00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.context().span_id.ToHex() + "-03");
  }
  auto spans = f.Ended();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(spans[0].parent_is_remote);
  EXPECT_EQ(spans[0].kind, SpanKind::kServer);
}

TEST(TracerProvider, DroppedSpanStillGetsSpanIdAndInjectsFlags00) {
  Fixture f({.sampler = MakeAlwaysOffSampler()});
  Span span = f.tracer.StartSpan("dropped");
  EXPECT_FALSE(span.IsRecording());
  EXPECT_TRUE(span.context().IsValid());
  EXPECT_FALSE(span.context().IsSampled());
  Scope scope(span);
  std::vector<std::pair<std::string, std::string>> out;
  HeaderMapCarrier carrier(out);
  InjectContext(carrier);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].second.substr(53), "00");
}

TEST(TracerProvider, RecordOnlyReachesProcessorsButNotExporter) {
  auto counting = std::make_unique<CountingProcessor>();
  CountingProcessor* c = counting.get();
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto data = exporter->data();
  auto provider = std::make_shared<TracerProvider>(
      TracerProviderOptions{.sampler = std::make_shared<RecordOnlySampler>()},
      MakeProcessors(std::move(counting), std::make_unique<SimpleSpanProcessor>(std::move(exporter))));
  {
    Span s = provider->GetTracer("t").StartSpan("x");
    EXPECT_TRUE(s.IsRecording());
    EXPECT_FALSE(s.context().IsSampled());
  }
  EXPECT_EQ(c->started.load(), 1);
  EXPECT_EQ(c->ended.load(), 1);
  EXPECT_EQ(data->size(), 0u);
}

TEST(Span, AttributesOfEveryTypeAndOverwrite) {
  Fixture f;
  {
    Span s = f.tracer.StartSpan("attrs");
    s.SetAttribute("s", "text")
        .SetAttribute("b", true)
        .SetAttribute("i", 42)
        .SetAttribute("d", 2.5)
        .SetAttribute("sv", std::vector<std::string>{"a", "b"})
        .SetAttribute("iv", std::vector<int64_t>{1, 2})
        .SetAttribute("i", int64_t{43})
        .SetAttribute("", "ignored");
  }
  auto spans = f.Ended();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& s = spans[0];
  EXPECT_EQ(s.attributes.size(), 6u);
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("s")), "text");
  EXPECT_EQ(std::get<bool>(*s.FindAttribute("b")), true);
  EXPECT_EQ(std::get<int64_t>(*s.FindAttribute("i")), 43);
  EXPECT_EQ(std::get<double>(*s.FindAttribute("d")), 2.5);
  EXPECT_EQ(std::get<std::vector<std::string>>(*s.FindAttribute("sv")).size(), 2u);
}

TEST(Span, AttributeCountLimitDropsNewKeysOnly) {
  Fixture f({.limits = {.attribute_count = 2}});
  {
    Span s = f.tracer.StartSpan("limited");
    s.SetAttribute("a", 1).SetAttribute("b", 2).SetAttribute("c", 3).SetAttribute("a", 9).SetAttribute("d", 4);
  }
  auto spans = f.Ended();
  EXPECT_EQ(spans[0].attributes.size(), 2u);
  EXPECT_EQ(spans[0].dropped_attributes_count, 2u);
  EXPECT_EQ(std::get<int64_t>(*spans[0].FindAttribute("a")), 9);
}

TEST(Span, LengthLimitTruncatesCharactersNotBytesAndNeverNumbers) {
  Fixture f({.limits = {.attribute_value_length = 3}});
  {
    Span s = f.tracer.StartSpan("trunc");
    s.SetAttribute("s", "h\xC3\xA9llo")  // "héllo"
        .SetAttribute("arr", std::vector<std::string>{"abcdef", "x"})
        .SetAttribute("n", int64_t{123456789})
        .SetAttribute("d", 1234.5678);
  }
  auto s = f.Ended()[0];
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("s")), "h\xC3\xA9l");
  EXPECT_EQ(std::get<std::vector<std::string>>(*s.FindAttribute("arr")), (std::vector<std::string>{"abc", "x"}));
  EXPECT_EQ(std::get<int64_t>(*s.FindAttribute("n")), 123456789);
}

TEST(Span, EventAndLinkLimits) {
  Fixture f({.limits = {.event_count = 1, .link_count = 1, .attributes_per_event = 1, .attributes_per_link = 1}});
  SpanContext other;
  other.trace_id.bytes[0] = 1;
  other.span_id.bytes[0] = 1;
  {
    Span s = f.tracer.StartSpan("ev");
    s.AddEvent("e1", {{"a", int64_t{1}}, {"b", int64_t{2}}}).AddEvent("e2");
    s.AddLink(other, {{"x", "1"}, {"y", "2"}}).AddLink(other);
  }
  auto s = f.Ended()[0];
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.dropped_events_count, 1u);
  EXPECT_EQ(s.events[0].dropped_attributes_count, 1u);
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.dropped_links_count, 1u);
  EXPECT_EQ(s.links[0].dropped_attributes_count, 1u);
}

TEST(Span, StatusRules) {
  Fixture f;
  {
    Span a = f.tracer.StartSpan("a");
    a.SetStatus(StatusCode::kError, "boom");
  }
  {
    Span b = f.tracer.StartSpan("b");
    b.SetStatus(StatusCode::kOk, "ignored description").SetStatus(StatusCode::kError, "too late");
  }
  {
    Span c = f.tracer.StartSpan("c");
    c.SetStatus(StatusCode::kError, "x").SetStatus(StatusCode::kUnset);
  }
  auto spans = f.Ended();
  EXPECT_EQ(spans[0].status, StatusCode::kError);
  EXPECT_EQ(spans[0].status_description, "boom");
  EXPECT_EQ(spans[1].status, StatusCode::kOk);
  EXPECT_EQ(spans[1].status_description, "");
  EXPECT_EQ(spans[2].status, StatusCode::kError);
}

TEST(Span, SecondEndAndMutationsAfterEndAreIgnored) {
  Fixture f;
  Span s = f.tracer.StartSpan("once");
  s.End();
  s.SetAttribute("late", 1).SetStatus(StatusCode::kError, "late");
  s.End();
  EXPECT_FALSE(s.IsRecording());
  auto spans = f.Ended();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(spans[0].attributes.empty());
  EXPECT_EQ(spans[0].status, StatusCode::kUnset);
}

TEST(Span, EndingParentDoesNotEndChild) {
  Fixture f;
  Span parent = f.tracer.StartSpan("p");
  Span child = f.tracer.StartSpan("c", {.parent = &parent.context()});
  parent.End();
  EXPECT_TRUE(child.IsRecording());
  EXPECT_EQ(f.Ended().size(), 1u);
  child.End();
  EXPECT_EQ(f.Ended().size(), 2u);
}

TEST(Span, RecordExceptionAddsEventWithoutChangingStatus) {
  Fixture f;
  {
    Span s = f.tracer.StartSpan("ex");
    s.RecordException(std::runtime_error("bad thing"));
    s.RecordException("MyError", "msg", "frame1\nframe2");
  }
  auto s = f.Ended()[0];
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].name, "exception");
  EXPECT_EQ(s.events[1].attributes.size(), 3u);
  EXPECT_EQ(s.status, StatusCode::kUnset);
}

TEST(Span, ExplicitStartAndEndTimes) {
  Fixture f;
  SystemTime start = SystemTime(std::chrono::seconds(1'700'000'000));
  {
    Span s = f.tracer.StartSpan("timed", {.start_time = start});
    s.End(start + std::chrono::milliseconds(5));
  }
  auto s = f.Ended()[0];
  EXPECT_EQ(s.start_unix_nanos, 1'700'000'000'000'000'000LL);
  EXPECT_EQ(s.end_unix_nanos - s.start_unix_nanos, 5'000'000);
}

TEST(Span, SecretsAreRedacted) {
  Fixture f;
  {
    Span s = f.tracer.StartSpan("redact");
    s.SetAttribute("http.request.header.x-signature", "abcdef")
        .SetAttribute("aura.reservation_code", "RES-123")
        .SetAttribute("llm.api_key", "sk-1")
        .SetAttribute("url.query", "a=1&token=xyz")
        .SetAttribute("note", "Bearer abc.def")
        .SetAttribute("gen_ai.usage.input_tokens", 12)
        .SetAttribute("aura.item_id", "item-1");
  }
  auto s = f.Ended()[0];
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("http.request.header.x-signature")), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("aura.reservation_code")), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("llm.api_key")), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("url.query")), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("note")), "[REDACTED]");
  EXPECT_EQ(std::get<int64_t>(*s.FindAttribute("gen_ai.usage.input_tokens")), 12);
  EXPECT_EQ(std::get<std::string>(*s.FindAttribute("aura.item_id")), "item-1");
}

TEST(Redaction, RuleIsSmallAndDocumented) {
  EXPECT_TRUE(IsSensitiveKey("password"));
  EXPECT_TRUE(IsSensitiveKey("Authorization"));
  EXPECT_TRUE(IsSensitiveKey("db.client_secret"));
  EXPECT_TRUE(IsSensitiveKey("aura.session_token"));
  EXPECT_FALSE(IsSensitiveKey("gen_ai.usage.output_tokens"));
  EXPECT_FALSE(IsSensitiveKey("aura.item_id"));
  EXPECT_TRUE(LooksLikeSecretValue("basic dXNlcjpwYXNz"));
  EXPECT_TRUE(LooksLikeSecretValue("x=1&api_key=2"));
  EXPECT_FALSE(LooksLikeSecretValue("limit=3&query=rooms"));
  EXPECT_EQ(Redact("k", "plain"), "plain");
}

// The sensitive words as attribute.h lists them.
const std::vector<std::string> kDocumentedWords = {"signature", "api_key", "apikey", "token",
                                                   "password", "passwd", "authorization",
                                                   "reservation_code", "secret", "private_key", "cookie"};

// The rule as attribute.h words it, written the slow and obvious way.
bool SensitiveByTheDocumentedRule(std::string key) {
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
  }
  std::string leaf = key.substr(key.rfind('.') == std::string::npos ? 0 : key.rfind('.') + 1);
  for (const std::string& w : kDocumentedWords) {
    if (leaf.size() >= w.size() && leaf.compare(leaf.size() - w.size(), w.size(), w) == 0) return true;
  }
  return false;
}

TEST(Redaction, KeyCheckAgreesWithTheDocumentedRuleForEveryWordAndSpelling) {
  std::vector<std::string> keys = {"", ".", "e", "y", "n", "d", "t", "name", "db.system.name", "server.port",
                                   "aura.item_id", "gen_ai.usage.output_tokens", "tokens", "token.count",
                                   "x.", "signature.x", "key", "private", "cookies"};
  for (const std::string& w : kDocumentedWords) {
    std::string upper = w;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string dashed = w;
    for (char& c : dashed) c = c == '_' ? '-' : c;
    for (const std::string& spelling : {w, upper, dashed}) {
      keys.push_back(spelling);
      keys.push_back("x_" + spelling);
      keys.push_back("http.request.header." + spelling);
      keys.push_back(spelling + ".id");
      keys.push_back(spelling.substr(1));
      keys.push_back(spelling.substr(0, spelling.size() - 1));
    }
  }
  for (const std::string& key : keys) {
    EXPECT_EQ(IsSensitiveKey(key), SensitiveByTheDocumentedRule(key)) << key;
  }
}

TEST(TracerProvider, ShutdownMakesLaterTracersNoop) {
  Fixture f;
  EXPECT_TRUE(f.provider->Shutdown());
  EXPECT_TRUE(f.provider->Shutdown());  // idempotent
  Span s = f.provider->GetTracer("later").StartSpan("x");
  EXPECT_FALSE(s.IsRecording());
  Span t = f.tracer.StartSpan("y");
  EXPECT_FALSE(t.IsRecording());
}

// A processor whose export outlives Shutdown, as an export abandoned at the
// deadline does: it keeps the ended span and says its call still runs.
class StillExportingProcessor final : public SpanProcessor {
 public:
  void OnEnd(std::unique_ptr<SpanData> span) noexcept override { kept = std::move(span); }
  bool ForceFlush(std::chrono::milliseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::milliseconds) noexcept override { return false; }
  bool ExportStillRunning() const noexcept override { return true; }
  std::unique_ptr<SpanData> kept;
};

TEST(TracerProvider, ResourceAndScopeOutliveTheProviderWhileAnExportStillRuns) {
  auto owned = std::make_unique<StillExportingProcessor>();
  StillExportingProcessor* processor = owned.get();
  std::unique_ptr<SpanData> span;
  {
    TracerProviderOptions options;
    options.resource = MakeResource({.service_name = "kept-alive"}, common::Environment::FromMap({}));
    auto provider = std::make_shared<TracerProvider>(std::move(options), MakeProcessors(std::move(owned)));
    provider->GetTracer("aura.test.kept", "1").StartSpan("late").End();
    span = std::move(processor->kept);  // what the still-running export holds
  }
  // The provider is gone; the span's resource and scope are still readable
  // (under AddressSanitizer this is a use-after-free without the keep-alive).
  ASSERT_NE(span, nullptr);
  ASSERT_NE(span->resource, nullptr);
  EXPECT_EQ(span->resource->Get("service.name"), "kept-alive");
  ASSERT_NE(span->scope, nullptr);
  EXPECT_EQ(span->scope->name, "aura.test.kept");
}

TEST(TracerProvider, HealthCountsStartedAndEnded) {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.tracer.StartSpan("x");
  TracingHealth h = f.provider->Health();
  EXPECT_EQ(h.spans_started, 3u);
  EXPECT_EQ(h.spans_ended, 3u);
  EXPECT_EQ(h.spans_exported, 3u);
}

TEST(GlobalProvider, NoopUntilInstalledAndTracersPickItUpLater) {
  Tracer tracer = GetTracer("aura.late");
  {
    Span before = tracer.StartSpan("before");
    EXPECT_FALSE(before.IsRecording());
    EXPECT_FALSE(before.context().IsValid());
  }
  Fixture f;
  SetTracerProvider(f.provider);
  {
    Span after = tracer.StartSpan("after");
    EXPECT_TRUE(after.IsRecording());
  }
  SetTracerProvider(nullptr);
  {
    Span again = tracer.StartSpan("again");
    EXPECT_FALSE(again.IsRecording());
  }
  EXPECT_EQ(f.Ended().size(), 1u);
}

TEST(GlobalProvider, NoopSpanCarriesParentSoPropagationContinues) {
  SetTracerProvider(nullptr);
  SpanContext parent;
  parent.trace_id.bytes[3] = 7;
  parent.span_id.bytes[2] = 9;
  parent.trace_flags = kTraceFlagSampled;
  parent.is_remote = true;
  Span s = GetTracer("x").StartSpan("noop", {.parent = &parent});
  EXPECT_EQ(s.context().trace_id, parent.trace_id);
  EXPECT_FALSE(s.IsRecording());
}

TEST(Context, CaptureAndAttachAcrossThreads) {
  Fixture f;
  SpanContext child_parent_seen;
  {
    auto parent = f.tracer.StartScopedSpan("request");
    Context::Current();
    Context captured = Context::Current();
    std::thread worker([&] {
      EXPECT_EQ(CurrentSpanContext(), nullptr);
      Scope scope(captured);
      Span s = f.tracer.StartSpan("db.query");
      child_parent_seen = captured.span_context;
    });
    worker.join();
  }
  auto spans = f.Ended();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "db.query");
  EXPECT_EQ(spans[0].parent_span_id, spans[1].context.span_id);
  EXPECT_EQ(spans[0].context.trace_id, spans[1].context.trace_id);
}

TEST(Context, ScopesRestoreInReverseOrderAndCurrentSpanAddsAttributes) {
  Fixture f;
  EXPECT_EQ(CurrentSpanContext(), nullptr);
  {
    auto outer = f.tracer.StartScopedSpan("outer");
    {
      auto inner = f.tracer.StartScopedSpan("inner");
      EXPECT_EQ(*CurrentSpanContext(), inner.context());
      CurrentSpan().SetAttribute("aura.outcome", "accepted");
    }
    EXPECT_EQ(*CurrentSpanContext(), outer.context());
  }
  EXPECT_EQ(CurrentSpanContext(), nullptr);
  auto spans = f.Ended();
  EXPECT_EQ(spans[0].name, "inner");
  EXPECT_NE(spans[0].FindAttribute("aura.outcome"), nullptr);
}

TEST(LogCorrelation, LogLinesInsideSpanCarryIds) {
  Fixture f;
  std::vector<std::string> lines;
  common::InitLogging({.sink = [&](std::string_view l) { lines.emplace_back(l); }, .synchronous = true});
  common::SetLogContextHook(&AppendLogContext);
  AURA_LOG_INFO("outside");
  SpanContext ctx;
  {
    auto span = f.tracer.StartScopedSpan("op");
    ctx = span.context();
    AURA_LOG_INFO("inside");
  }
  common::InitLogging({.synchronous = true});  // the capturing sink must not outlive `lines`
  common::SetLogContextHook(nullptr);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].find("trace_id"), std::string::npos);
  EXPECT_NE(lines[1].find("\"trace_id\":\"" + ctx.trace_id.ToHex() + "\""), std::string::npos);
  EXPECT_NE(lines[1].find("\"span_id\":\"" + ctx.span_id.ToHex() + "\""), std::string::npos);
  EXPECT_NE(lines[1].find("\"trace_flags\":\"01\""), std::string::npos);
  // The same ids go out in traceparent and to the exporter.
  EXPECT_EQ(f.Ended()[0].context.span_id, ctx.span_id);
}

}  // namespace
}  // namespace aura::telemetry::sdk
