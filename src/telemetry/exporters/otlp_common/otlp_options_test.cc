#include "telemetry/exporters/otlp_common/otlp_options.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <climits>
#include <random>

#include "common/config/environment.h"
#include "telemetry/exporters/otlp_common/otlp_encoder.h"
#include "telemetry/exporters/otlp_common/request_encoder.h"
#include "telemetry/sdk/resource.h"

namespace aura::telemetry::otlp {
namespace {

OtlpExporterOptions Parse(std::map<std::string, std::string> vars, std::string override_endpoint = "",
                          std::vector<std::string>* w = nullptr) {
  std::vector<std::string> warnings;
  auto o = ParseOtlpOptions(common::Environment::FromMap(std::move(vars)), override_endpoint, warnings);
  if (w) *w = warnings;
  return o;
}

TEST(OtlpOptions, DefaultsAreHttpProtobufOnLocalhost4318) {
  auto o = Parse({});
  EXPECT_EQ(o.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(o.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(10000));
  EXPECT_FALSE(o.gzip);
  EXPECT_FALSE(o.endpoint_configured);
  auto g = Parse({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}});
  EXPECT_EQ(g.endpoint, "http://localhost:4317");
}

TEST(OtlpOptions, HttpUrlRules) {
  EXPECT_EQ(HttpTracesUrl("", "http://collector:4318"), "http://collector:4318/v1/traces");
  EXPECT_EQ(HttpTracesUrl("", "http://collector:4318/"), "http://collector:4318/v1/traces");
  EXPECT_EQ(HttpTracesUrl("", "https://collector/base"), "https://collector/base/v1/traces");
  EXPECT_EQ(HttpTracesUrl("http://c:4318/custom/path", "http://ignored"), "http://c:4318/custom/path");
  EXPECT_EQ(HttpTracesUrl("http://c:4318", ""), "http://c:4318/");
  auto o = Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"},
                  {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://signal:9999/x"}});
  EXPECT_EQ(o.endpoint, "http://signal:9999/x");
}

TEST(OtlpOptions, ProtocolFromVariablesThenPort) {
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}}).protocol, OtlpProtocol::kGrpc);
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}}).protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(Parse({}, "http://c:4317").protocol, OtlpProtocol::kGrpc);  // AURA_ override
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}, {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}})
                .protocol,
            OtlpProtocol::kHttpJson);
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"}})
                .protocol,
            OtlpProtocol::kHttpProtobuf);
}

TEST(OtlpOptions, GrpcTlsFromSchemeElseInsecure) {
  EXPECT_TRUE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c:4317"}, {"OTEL_EXPORTER_OTLP_INSECURE", "true"}}).use_tls);
  EXPECT_FALSE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}, {"OTEL_EXPORTER_OTLP_INSECURE", "false"}}).use_tls);
  EXPECT_TRUE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "c:4317"}}).use_tls);
  EXPECT_FALSE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "c:4317"}, {"OTEL_EXPORTER_OTLP_INSECURE", "TRUE"}}).use_tls);
}

TEST(OtlpOptions, HeadersPercentDecodedTrimmedAndTracesVariantReplaces) {
  std::vector<std::string> w;
  auto h = ParseOtlpHeaders(" Api-Key = a%20b , x=1,bad", w);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"api-key", "a b"}));
  EXPECT_EQ(w.size(), 1u);
  auto o = Parse({{"OTEL_EXPORTER_OTLP_HEADERS", "a=1"}, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"}});
  ASSERT_EQ(o.headers.size(), 1u);
  EXPECT_EQ(o.headers[0].first, "b");
}

TEST(OtlpOptions, TimeoutCompressionAndTracesVariants) {
  auto o = Parse({{"OTEL_EXPORTER_OTLP_TIMEOUT", "500"}, {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "250"},
                  {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"}});
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(250));
  EXPECT_TRUE(o.gzip);
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_TIMEOUT", "0"}}).timeout, std::chrono::hours(24));
  std::vector<std::string> w;
  EXPECT_EQ(Parse({{"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"}}, "", &w).timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(w.size(), 1u);
}

TEST(OtlpOptions, EndpointThatIsNotAUrlIsReported) {
  EXPECT_FALSE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"}}).endpoint_error.empty());
  EXPECT_FALSE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://x:1"}}).endpoint_error.empty());
  EXPECT_FALSE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://x:99999"}}).endpoint_error.empty());
  EXPECT_FALSE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}}).endpoint_error.empty());  // HTTP needs a scheme
  EXPECT_TRUE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1]:4318"}}).endpoint_error.empty());
  EXPECT_TRUE(Parse({{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"}}).endpoint_error.empty());
}

TEST(OtlpEncoder, GroupsByResourceAndScopeWithEmptyRootParent) {
  sdk::Resource resource({{"service.name", std::string("svc")}});
  sdk::InstrumentationScope a{"a", "1"}, b{"b", "2"};
  std::vector<std::unique_ptr<sdk::SpanData>> spans;
  for (auto* scope : {&a, &b, &a}) {
    auto s = std::make_unique<sdk::SpanData>();
    s->resource = &resource;
    s->scope = scope;
    s->context.trace_id.bytes[15] = 1;
    s->context.span_id.bytes[7] = static_cast<uint8_t>(spans.size() + 1);
    s->kind = SpanKind::kClient;
    s->status = StatusCode::kError;
    s->status_description = "bad";
    spans.push_back(std::move(s));
  }
  spans[1]->parent_span_id.bytes[0] = 9;
  proto::collector::trace::v1::ExportTraceServiceRequest req;
  ToProto(spans, &req);
  ASSERT_EQ(req.resource_spans_size(), 1);
  ASSERT_EQ(req.resource_spans(0).scope_spans_size(), 2);
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).spans_size(), 2);
  EXPECT_EQ(req.resource_spans(0).scope_spans(0).scope().name(), "a");
  const auto& s0 = req.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_TRUE(s0.parent_span_id().empty());
  EXPECT_EQ(s0.trace_id().size(), 16u);
  EXPECT_EQ(s0.kind(), 3);
  EXPECT_EQ(s0.status().code(), 2);
  EXPECT_EQ(req.resource_spans(0).scope_spans(1).spans(0).parent_span_id().size(), 8u);

  std::string json = ToOtlpJson(spans);
  EXPECT_NE(json.find("\"traceId\":\"00000000000000000000000000000001\""), std::string::npos);
  EXPECT_NE(json.find("\"kind\":3"), std::string::npos);
  EXPECT_NE(json.find("\"startTimeUnixNano\":\"0\""), std::string::npos);
  EXPECT_NE(json.find("\"status\":{\"code\":2,\"message\":\"bad\"}"), std::string::npos);
}

// Spans of every shape: names, ids, states, parents, status, attributes of each
// value type, events and links, spread over two resources and scopes (or none).
struct RandomSpans {
  sdk::Resource resource = sdk::MakeResource({.service_name = "svc"}, common::Environment::FromMap({}));
  sdk::Resource other_resource = sdk::MakeResource({.service_name = "other"}, common::Environment::FromMap({}));
  sdk::InstrumentationScope scope{"scope", "1.0"};
  sdk::InstrumentationScope other_scope{"other", ""};
  std::mt19937 rng{3};

  std::string Text(size_t max) { return std::string(rng() % (max + 1), static_cast<char>('a' + rng() % 26)); }

  std::vector<std::unique_ptr<sdk::SpanData>> Batch() {
    std::vector<std::unique_ptr<sdk::SpanData>> spans;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 6); i < n; ++i) {
      auto s = std::make_unique<sdk::SpanData>();
      s->name = Text(40);
      s->context.trace_id.bytes[0] = 1;
      s->context.span_id.bytes[0] = 2;
      s->context.trace_state = Text(20);
      if (rng() % 2) s->parent_span_id.bytes[0] = 3;
      s->kind = static_cast<SpanKind>(1 + rng() % 5);
      s->start_unix_nanos = rng() % 4 == 0 ? 0 : INT64_MAX - static_cast<int64_t>(rng());
      s->end_unix_nanos = rng() % 4 == 0 ? 0 : INT64_MAX;
      s->dropped_attributes_count = rng() % 2 ? 0 : rng();
      s->dropped_events_count = rng() % 2 ? 0 : rng() % 300;
      s->dropped_links_count = rng() % 2 ? 0 : 1;
      const uint32_t r = rng() % 8;
      s->resource = r == 0 ? nullptr : r == 1 ? &other_resource : &resource;
      const uint32_t c = rng() % 8;
      s->scope = c == 0 ? nullptr : c == 1 ? &other_scope : &scope;
      if (rng() % 2) {
        s->status = StatusCode::kError;
        s->status_description = Text(30);
      } else if (rng() % 2) {
        s->status = StatusCode::kOk;
      }
      for (int a = 0, m = static_cast<int>(rng() % 8); a < m; ++a) {
        AttributeValue v;
        switch (rng() % 9) {
          case 0: v = Text(300); break;
          case 1: v = int64_t{-1}; break;
          case 2: v = 1e300; break;
          case 3: v = std::vector<std::string>{Text(10), Text(10)}; break;
          case 4: v = static_cast<bool>(rng() % 2); break;
          case 5: v = static_cast<int64_t>(rng() % 200); break;
          case 6: v = std::vector<bool>(rng() % 3, true); break;
          case 7: v = std::vector<double>(rng() % 3, -0.5); break;
          default: v = std::vector<int64_t>(rng() % 4, -2); break;
        }
        s->attributes.emplace_back(Text(30), std::move(v));
      }
      if (rng() % 3 == 0) s->events.push_back({Text(10), INT64_MAX, {{"k", Text(50)}}, 7});
      if (rng() % 5 == 0) s->events.push_back({"", 0, {}, 0});
      if (rng() % 3 == 0) s->links.push_back({s->context, {{"k", int64_t{-5}}}, 9});
      if (rng() % 5 == 0) s->links.push_back({SpanContext{}, {}, 0});
      spans.push_back(std::move(s));
    }
    return spans;
  }
};

TEST(RequestEncoder, WritesExactlyTheBytesOfTheProtobufRequestForEveryShapeOfSpan) {
  RandomSpans random;
  RequestEncoder encoder;  // reused, as by an exporter: each batch must come out whole and alone
  for (int round = 0; round < 500; ++round) {
    auto spans = random.Batch();
    proto::collector::trace::v1::ExportTraceServiceRequest reference;
    ToProto(spans, &reference);
    const std::string_view bytes = encoder.Encode(spans);
    ASSERT_EQ(bytes, reference.SerializeAsString()) << "round " << round;
    proto::collector::trace::v1::ExportTraceServiceRequest parsed;
    ASSERT_TRUE(parsed.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) << "round " << round;
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, reference)) << "round " << round;
  }
}

TEST(RequestEncoder, AnEmptyBatchIsAnEmptyRequest) {
  RequestEncoder encoder;
  EXPECT_TRUE(encoder.Encode({}).empty());
}

TEST(RequestEncoder, LongValuesGetMultiByteLengths) {
  sdk::Resource resource({{"service.name", std::string("svc")}});
  std::vector<std::unique_ptr<sdk::SpanData>> spans;
  auto s = std::make_unique<sdk::SpanData>();
  s->resource = &resource;
  s->name = std::string(200, 'n');                              // two-byte length
  s->attributes = {{"big", std::string(70000, 'v')},            // three-byte lengths, nested three deep
                   {"list", std::vector<std::string>(3, std::string(20000, 'w'))}};
  spans.push_back(std::move(s));
  proto::collector::trace::v1::ExportTraceServiceRequest reference;
  ToProto(spans, &reference);
  RequestEncoder encoder;
  EXPECT_EQ(encoder.Encode(spans), reference.SerializeAsString());
}

TEST(OtlpEncoder, GzipRoundTrip) {
  std::string data(10000, 'x');
  auto z = Gzip(data);
  ASSERT_TRUE(z);
  EXPECT_LT(z->size(), data.size());
  EXPECT_EQ(Gunzip(*z), data);
  EXPECT_FALSE(Gunzip("not gzip"));
}

TEST(OtlpEncoder, PartialSuccessAndRetryInfoWireRoundTrip) {
  auto ps = ReadPartialSuccess(EncodePartialSuccessResponse(3, "too old"));
  ASSERT_TRUE(ps);
  EXPECT_EQ(ps->rejected_spans, 3);
  EXPECT_EQ(ps->error_message, "too old");
  EXPECT_FALSE(ReadPartialSuccess(""));
  auto delay = ReadRetryInfoDelay(EncodeRetryInfoStatus(8, "slow down", std::chrono::milliseconds(1500)));
  ASSERT_TRUE(delay);
  EXPECT_EQ(*delay, std::chrono::milliseconds(1500));
  EXPECT_FALSE(ReadRetryInfoDelay(""));
}

}  // namespace
}  // namespace aura::telemetry::otlp
