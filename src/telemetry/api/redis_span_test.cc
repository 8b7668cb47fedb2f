#include "telemetry/api/redis_span.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "telemetry/exporters/memory/in_memory_span_exporter.h"
#include "telemetry/sdk/simple_span_processor.h"
#include "telemetry/sdk/tracer_provider.h"

namespace aura::telemetry {
namespace {

TEST(RedisQueryText, MasksKeysValuesAndNumbersButKeepsOptionKeywords) {
  EXPECT_EQ(RedisQueryText({"SET", "replay:abc", "{\"secret\":1}", "EX", "120"}), "SET ? ? EX ?");
  EXPECT_EQ(RedisQueryText({"set", "k", "v", "px", "5000", "nx"}), "SET ? ? PX ? NX");
  EXPECT_EQ(RedisQueryText({"GET", "replay:abc"}), "GET ?");
  EXPECT_EQ(RedisQueryText({"INCR", "rl:did:key:z6Mk"}), "INCR ?");
  EXPECT_EQ(RedisQueryText({"EXPIRE", "k", "120", "NX"}), "EXPIRE ? ? NX");
  EXPECT_EQ(RedisQueryText({"SCAN", "0", "MATCH", "search:*", "COUNT", "500"}), "SCAN ? MATCH ? COUNT ?");
  EXPECT_EQ(RedisQueryText({"HMSET", "myhash", "field1", "value1"}), "HMSET ? ? ?");
  EXPECT_EQ(RedisQueryText({"MULTI"}), "MULTI");
  EXPECT_EQ(RedisQueryText(std::initializer_list<std::string_view>{}), "");
}

TEST(RedisQueryText, KeywordsInKeyOrValuePositionsAreMaskedToo) {
  // A key or value that happens to read like an option never shows.
  EXPECT_EQ(RedisQueryText({"SET", "EX", "NX", "EX", "1"}), "SET ? ? EX ?");
  EXPECT_EQ(RedisQueryText({"GET", "COUNT"}), "GET ?");
  EXPECT_EQ(RedisQueryText({"DEL", "MATCH", "EX"}), "DEL ? ?");
  // The argument of an option is masked even when it reads like a keyword.
  EXPECT_EQ(RedisQueryText({"SCAN", "0", "MATCH", "COUNT"}), "SCAN ? MATCH ?");
  // A keyword without its argument does not read past the end.
  EXPECT_EQ(RedisQueryText({"SET", "k", "v", "EX"}), "SET ? ? EX");
}

TEST(RedisQueryText, PipelineJoinsMaskedCommands) {
  const std::vector<std::vector<std::string>> pipeline{
      {"MULTI"}, {"INCR", "rl:agent"}, {"EXPIRE", "rl:agent", "120"}, {"EXEC"}};
  EXPECT_EQ(RedisQueryText(pipeline), "MULTI; INCR ?; EXPIRE ? ?; EXEC");
  const std::vector<std::string> one{"SET", "k", "v"};
  EXPECT_EQ(RedisQueryText(one), "SET ? ?");
}

struct Fixture {
  Fixture() {
    auto exporter = std::make_unique<exporters::InMemorySpanExporter>();
    spans = exporter->data();
    auto health = std::make_shared<sdk::PipelineHealth>();
    provider = std::make_shared<sdk::TracerProvider>(
        sdk::TracerProviderOptions{.health = health},
        sdk::MakeProcessors(std::make_unique<sdk::SimpleSpanProcessor>(std::move(exporter), health)));
    tracer = provider->GetTracer("aura.test");
  }
  std::string Attr(const sdk::SpanData& s, std::string_view key) {
    const AttributeValue* v = s.FindAttribute(key);
    if (v == nullptr) return "<missing>";
    if (const auto* str = std::get_if<std::string>(v)) return *str;
    if (const auto* i = std::get_if<int64_t>(v)) return std::to_string(*i);
    return "<other>";
  }
  std::shared_ptr<exporters::InMemorySpanData> spans;
  std::shared_ptr<sdk::TracerProvider> provider;
  Tracer tracer;
};

TEST(StartRedisSpan, OneCommandCarriesTheDatabaseConventions) {
  Fixture f;
  { Span span = StartRedisSpan(f.tracer, {"set", "key:1", "value", "EX", "60"}, {.host = "10.0.0.5", .port = 6380, .db = 2}); }
  auto spans = f.spans->GetSpans();
  ASSERT_EQ(spans.size(), 1u);
  const sdk::SpanData& s = spans[0];
  EXPECT_EQ(s.name, "SET");
  EXPECT_EQ(s.kind, SpanKind::kClient);
  EXPECT_EQ(f.Attr(s, "db.system.name"), "redis");
  EXPECT_EQ(f.Attr(s, "db.system"), "redis");
  EXPECT_EQ(f.Attr(s, "db.operation.name"), "SET");
  EXPECT_EQ(f.Attr(s, "db.query.text"), "SET ? ? EX ?");
  EXPECT_EQ(f.Attr(s, "db.namespace"), "2");
  EXPECT_EQ(f.Attr(s, "server.address"), "10.0.0.5");
  EXPECT_EQ(f.Attr(s, "server.port"), "6380");
  EXPECT_EQ(f.Attr(s, "db.operation.batch.size"), "<missing>");
}

TEST(StartRedisSpan, PipelineIsOneSpanWithItsBatchSize) {
  Fixture f;
  const std::vector<std::vector<std::string>> pipeline{
      {"MULTI"}, {"INCR", "rl:agent"}, {"EXPIRE", "rl:agent", "120"}, {"EXEC"}};
  { Span span = StartRedisSpan(f.tracer, pipeline, {.host = "cache", .port = 6379, .db = 0}); }
  auto spans = f.spans->GetSpans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "PIPELINE");
  EXPECT_EQ(f.Attr(spans[0], "db.operation.name"), "PIPELINE");
  EXPECT_EQ(f.Attr(spans[0], "db.query.text"), "MULTI; INCR ?; EXPIRE ? ?; EXEC");
  EXPECT_EQ(f.Attr(spans[0], "db.operation.batch.size"), "4");
  EXPECT_EQ(f.Attr(spans[0], "db.namespace"), "0");
}

TEST(StartRedisSpan, UnknownHostLeavesServerAttributesOut) {
  Fixture f;
  { Span span = StartRedisSpan(f.tracer, {"GET", "k"}, {}); }
  auto spans = f.spans->GetSpans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(f.Attr(spans[0], "server.address"), "<missing>");
  EXPECT_EQ(f.Attr(spans[0], "server.port"), "<missing>");
  EXPECT_EQ(f.Attr(spans[0], "db.query.text"), "GET ?");
}

}  // namespace
}  // namespace aura::telemetry
