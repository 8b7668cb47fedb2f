#include "telemetry/exporters/otlp_http/otlp_http_exporter.h"

#include <gtest/gtest.h>

#include <thread>

#include "telemetry/exporters/otlp_common/testing/silent_listener.h"
#include "tests/fakes/otlp_receiver.h"
#include "telemetry/sdk/resource.h"

namespace aura::telemetry::otlp {
namespace {

using namespace std::chrono_literals;
using fakes::Reply;

struct Batch {
  sdk::Resource resource{{{"service.name", std::string("svc")}}};
  sdk::InstrumentationScope scope{"aura.test", ""};
  std::vector<std::unique_ptr<sdk::SpanData>> spans;
  explicit Batch(int n) {
    for (int i = 0; i < n; ++i) {
      auto s = std::make_unique<sdk::SpanData>();
      s->name = "span" + std::to_string(i);
      s->context.trace_id.bytes[0] = 1;
      s->context.span_id.bytes[0] = static_cast<uint8_t>(i + 1);
      s->context.trace_flags = 1;
      s->resource = &resource;
      s->scope = &scope;
      spans.push_back(std::move(s));
    }
  }
};

std::string Header(const fakes::ReceivedRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "<missing>" : it->second;
}

OtlpExporterOptions Options(const fakes::OtlpReceiver& rx) {
  OtlpExporterOptions o;
  o.protocol = OtlpProtocol::kHttpProtobuf;
  o.endpoint = HttpTracesUrl("", rx.http_endpoint());
  o.timeout = 5s;
  o.initial_backoff = 5ms;
  o.max_backoff = 20ms;
  o.health = std::make_shared<sdk::PipelineHealth>();
  return o;
}

TEST(OtlpHttpExporter, PostsProtobufToV1TracesWithHeadersAndGzip) {
  auto rx = fakes::OtlpReceiver::Start();
  auto o = Options(*rx);
  o.gzip = true;
  o.headers = {{"api-key", "k1"}};
  OtlpHttpExporter exporter(o);
  Batch b(3);
  ASSERT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  auto requests = rx->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/traces");
  EXPECT_EQ(Header(requests[0], "content-type"), "application/x-protobuf");
  EXPECT_EQ(Header(requests[0], "content-encoding"), "gzip");
  EXPECT_EQ(Header(requests[0], "api-key"), "k1");
  EXPECT_EQ(Header(requests[0], "user-agent").rfind("OTel-OTLP-Exporter-Cpp/", 0), 0u);
  auto spans = rx->Spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].resource["service.name"], "svc");
  EXPECT_EQ(spans[0].scope_name, "aura.test");
}

TEST(OtlpHttpExporter, RetriesRetryableStatusesThenSucceeds) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->QueueReplies({.kind = Reply::kUnavailable}, 2);
  OtlpHttpExporter exporter(Options(*rx));
  Batch b(1);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  EXPECT_EQ(rx->RequestCount(), 3u);
  EXPECT_EQ(rx->SpanCount(), 1u);
}

TEST(OtlpHttpExporter, HonoursRetryAfterOn429) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->QueueReplies({.kind = Reply::kThrottled, .retry_after = 1s}, 1);
  OtlpHttpExporter exporter(Options(*rx));
  Batch b(1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_EQ(rx->RequestCount(), 2u);
}

TEST(OtlpHttpExporter, NonRetryableStatusDropsBatchWithoutRetry) {
  for (auto kind : {Reply::kBadRequest, Reply::kInternal}) {
    auto rx = fakes::OtlpReceiver::Start();
    rx->SetDefaultReply({.kind = kind});
    auto o = Options(*rx);
    OtlpHttpExporter exporter(o);
    Batch b(1);
    EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kFailure);
    EXPECT_EQ(rx->RequestCount(), 1u);
    EXPECT_NE(o.health->Snapshot().last_error.find("HTTP"), std::string::npos);
  }
}

TEST(OtlpHttpExporter, RetriesStayWithinTheTimeout) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->SetDefaultReply({.kind = Reply::kUnavailable});
  auto o = Options(*rx);
  o.timeout = 300ms;
  OtlpHttpExporter exporter(o);
  Batch b(1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_GE(rx->RequestCount(), 2u);
}

TEST(OtlpHttpExporter, PartialSuccessIsSuccessAndCountsRejected) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->QueueReplies({.kind = Reply::kPartialSuccess, .rejected = 2}, 1);
  auto o = Options(*rx);
  OtlpHttpExporter exporter(o);
  Batch b(3);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  EXPECT_EQ(rx->RequestCount(), 1u);
  EXPECT_EQ(o.health->Snapshot().spans_rejected, 2u);
}

TEST(OtlpHttpExporter, JsonProtocolSendsOtlpJson) {
  auto rx = fakes::OtlpReceiver::Start();
  auto o = Options(*rx);
  o.protocol = OtlpProtocol::kHttpJson;
  OtlpHttpExporter exporter(o);
  Batch b(1);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  auto req = rx->Requests();
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(Header(req[0], "content-type"), "application/json");
}

TEST(OtlpHttpExporter, UnreachableCollectorFailsWithinTimeoutAndAfterShutdown) {
  int port;
  {
    auto rx = fakes::OtlpReceiver::Start();
    port = rx->http_port();
  }  // closed: nothing listens there now
  OtlpExporterOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/v1/traces";
  o.timeout = 200ms;
  o.initial_backoff = 5ms;
  OtlpHttpExporter exporter(o);
  Batch b(1);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kFailure);
  exporter.Shutdown(1s);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kFailure);
}

// Shutdown aborts a request in flight (curl's progress callback) instead of
// leaving it to run to the export timeout.
TEST(OtlpHttpExporter, ShutdownAbortsARequestInFlight) {
  testing::SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  OtlpExporterOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(silent.port()) + "/v1/traces";
  o.timeout = 60s;
  OtlpHttpExporter exporter(o);
  Batch b(1);
  sdk::ExportResult result = sdk::ExportResult::kSuccess;
  std::thread call([&] { result = exporter.Export(b.spans); });
  ASSERT_TRUE(silent.Accept(10s));  // the request went to a server that never answers
  auto start = std::chrono::steady_clock::now();
  exporter.Shutdown(0ms);
  call.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(result, sdk::ExportResult::kFailure);
}

TEST(OtlpHttpExporter, ParsesRetryAfterForms) {
  EXPECT_EQ(OtlpHttpExporter::ParseRetryAfter("3"), std::chrono::milliseconds(3000));
  EXPECT_EQ(OtlpHttpExporter::ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), std::chrono::milliseconds(0));
  EXPECT_FALSE(OtlpHttpExporter::ParseRetryAfter(""));
  EXPECT_FALSE(OtlpHttpExporter::ParseRetryAfter("soon"));
}

}  // namespace
}  // namespace aura::telemetry::otlp
