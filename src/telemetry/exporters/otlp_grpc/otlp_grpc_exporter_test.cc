#include "telemetry/exporters/otlp_grpc/otlp_grpc_exporter.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "telemetry/api/propagator.h"
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
  o.protocol = OtlpProtocol::kGrpc;
  o.endpoint = rx.grpc_endpoint();
  o.timeout = 5s;
  o.initial_backoff = 5ms;
  o.max_backoff = 20ms;
  o.health = std::make_shared<sdk::PipelineHealth>();
  return o;
}

TEST(OtlpGrpcExporter, LoadReceiversCountWhatTheyAreSent) {
  // The two modes of the receiver that load benchmarks use: decoding and
  // counting spans, and reading requests without decoding them.
  for (bool decode : {true, false}) {
    auto rx = fakes::OtlpReceiver::Start({.keep_spans = false, .decode = decode});
    OtlpGrpcExporter exporter(Options(*rx));
    Batch b(3);
    ASSERT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess) << "decode " << decode;
    ASSERT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess) << "decode " << decode;
    EXPECT_EQ(rx->RequestCount(), 2u);
    EXPECT_EQ(rx->SpanCount(), decode ? 6u : 0u);
    EXPECT_TRUE(rx->Requests().empty());
  }
}

TEST(OtlpGrpcExporter, ExportsWithMetadataAndGzip) {
  auto rx = fakes::OtlpReceiver::Start();
  auto o = Options(*rx);
  o.gzip = true;
  o.headers = {{"x-tenant", "acme"}};
  OtlpGrpcExporter exporter(o);
  Batch b(2);
  ASSERT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  auto req = rx->Requests();
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].path, "/opentelemetry.proto.collector.trace.v1.TraceService/Export");
  EXPECT_EQ(Header(req[0], "x-tenant"), "acme");
  // grpc strips grpc-encoding from the metadata it shows servers; the spans
  // decoding correctly shows the compressed request was understood.
  EXPECT_EQ(rx->SpanCount(), 2u);
}

TEST(OtlpGrpcExporter, RetryableCodes) {
  for (auto c : {grpc::StatusCode::CANCELLED, grpc::StatusCode::DEADLINE_EXCEEDED, grpc::StatusCode::ABORTED,
                 grpc::StatusCode::OUT_OF_RANGE, grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DATA_LOSS}) {
    EXPECT_TRUE(OtlpGrpcExporter::IsRetryable(static_cast<int>(c), false));
  }
  EXPECT_FALSE(OtlpGrpcExporter::IsRetryable(static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED), false));
  EXPECT_TRUE(OtlpGrpcExporter::IsRetryable(static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED), true));
  EXPECT_FALSE(OtlpGrpcExporter::IsRetryable(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT), true));
  EXPECT_FALSE(OtlpGrpcExporter::IsRetryable(static_cast<int>(grpc::StatusCode::INTERNAL), false));
}

TEST(OtlpGrpcExporter, RetriesUnavailable) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->QueueReplies({.kind = Reply::kUnavailable}, 2);
  OtlpGrpcExporter exporter(Options(*rx));
  Batch b(1);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  EXPECT_EQ(rx->RequestCount(), 3u);
}

TEST(OtlpGrpcExporter, ResourceExhaustedWithRetryInfoWaitsItsDelay) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->QueueReplies({.kind = Reply::kThrottled, .retry_after = 300ms}, 1);
  OtlpGrpcExporter exporter(Options(*rx));
  Batch b(1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 280ms);
  EXPECT_EQ(rx->RequestCount(), 2u);
}

TEST(OtlpGrpcExporter, NonRetryableCodeFailsOnce) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->SetDefaultReply({.kind = Reply::kBadRequest});
  auto o = Options(*rx);
  OtlpGrpcExporter exporter(o);
  Batch b(1);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kFailure);
  EXPECT_EQ(rx->RequestCount(), 1u);
  EXPECT_NE(o.health->Snapshot().last_error.find("gRPC 3"), std::string::npos);
}

TEST(OtlpGrpcExporter, PartialSuccessCountsRejected) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->QueueReplies({.kind = Reply::kPartialSuccess, .rejected = 1}, 1);
  auto o = Options(*rx);
  OtlpGrpcExporter exporter(o);
  Batch b(2);
  EXPECT_EQ(exporter.Export(b.spans), sdk::ExportResult::kSuccess);
  EXPECT_EQ(o.health->Snapshot().spans_rejected, 1u);
}

// The processor's export timeout abandons a hung export; Shutdown must also
// end the call itself, so the thread running it is not left behind.
TEST(OtlpGrpcExporter, ShutdownCancelsACallInFlight) {
  testing::SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  OtlpExporterOptions o;
  o.protocol = OtlpProtocol::kGrpc;
  o.endpoint = "http://127.0.0.1:" + std::to_string(silent.port());
  o.timeout = 60s;
  OtlpGrpcExporter exporter(o);
  Batch b(1);
  sdk::ExportResult result = sdk::ExportResult::kSuccess;
  std::thread call([&] { result = exporter.Export(b.spans); });
  ASSERT_TRUE(silent.Accept(10s));  // the call is connecting to a server that never answers
  auto start = std::chrono::steady_clock::now();
  exporter.Shutdown(0ms);
  call.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(result, sdk::ExportResult::kFailure);
}

TEST(OtlpGrpcExporter, TargetStripsSchemeAndPath) {
  EXPECT_EQ(OtlpGrpcExporter::Target("http://localhost:4317"), "localhost:4317");
  EXPECT_EQ(OtlpGrpcExporter::Target("https://c:4317/"), "c:4317");
  EXPECT_EQ(OtlpGrpcExporter::Target("c:4317"), "c:4317");
}

// The server-side pattern services use: extract from grpc's client metadata.
TEST(GrpcMetadataCarrier, ExtractsFromServerClientMetadata) {
  std::string key = "traceparent", value = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const std::multimap<grpc::string_ref, grpc::string_ref> metadata = {{key, value}};
  HeaderMapCarrier carrier(metadata);
  Context parent = ExtractContext(carrier);
  EXPECT_TRUE(parent.span_context.is_remote);
  EXPECT_EQ(parent.span_context.trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  grpc::ClientContext client;
  GrpcClientContextCarrier out(client);
  InjectContext(out, parent);  // compiles against the real ClientContext
}

}  // namespace
}  // namespace aura::telemetry::otlp
