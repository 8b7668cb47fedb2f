// The exporting side of tracing, per batch of 512 spans shaped like the hive's
// (a server span, a client span, SQL spans, ~8 attributes each): encoding the
// OTLP protobuf request as the OTLP exporters do (and, for comparison, by way
// of the generated message), and copying spans into the
// recent-span store behind /debug/traces. Both run on the batch processor's
// thread, not the request's, but on a small machine they take CPU from
// requests all the same.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config/environment.h"
#include "telemetry/exporters/memory/recent_span_store.h"
#include "telemetry/exporters/otlp_common/otlp_encoder.h"
#include "telemetry/exporters/otlp_common/request_encoder.h"
#include "telemetry/sdk/resource.h"
#include "telemetry/sdk/span_data.h"

namespace aura::telemetry {
namespace {

constexpr size_t kBatch = 512;

struct Batch {
  sdk::Resource resource = sdk::MakeResource({.service_name = "aura-core", .service_version = "0.1.0"},
                                             common::Environment::FromMap({}));
  sdk::InstrumentationScope scope{"aura-core", "0.1.0"};
  std::vector<std::unique_ptr<sdk::SpanData>> spans;
};

// `shift` moves the pattern of span shapes along the batch, so that two
// batches with different shifts differ at every position (as successive
// batches of a real export do).
Batch* MakeHiveLikeBatch(size_t shift) {
  auto* b = new Batch;
  for (size_t i = 0; i < kBatch; ++i) {
    auto s = std::make_unique<sdk::SpanData>();
    s->context.trace_id.bytes[0] = static_cast<uint8_t>(i + 1);
    s->context.span_id.bytes[0] = static_cast<uint8_t>(i + 1);
    s->context.trace_flags = kTraceFlagSampled;
    s->start_unix_nanos = 1'764'000'000'000'000'000 + static_cast<int64_t>(i) * 1000;
    s->end_unix_nanos = s->start_unix_nanos + 250'000;
    s->resource = &b->resource;
    s->scope = &b->scope;
    if ((i + shift) % 3 == 0) {
      s->name = "aura.negotiation.v1.NegotiationService/Negotiate";
      s->kind = SpanKind::kServer;
      s->attributes = {{"rpc.system", std::string("grpc")},
                       {"rpc.service", std::string("aura.negotiation.v1.NegotiationService")},
                       {"rpc.method", std::string("Negotiate")},
                       {"rpc.grpc.status_code", int64_t{0}},
                       {"server.address", std::string("127.0.0.1")},
                       {"server.port", int64_t{50051}},
                       {"aura.item_id", std::string("hotel_alpha")},
                       {"aura.bid_amount", 850.25}};
    } else {
      s->parent_span_id.bytes[0] = static_cast<uint8_t>(i);
      s->name = "INSERT negotiations";
      s->kind = SpanKind::kClient;
      s->attributes = {{"db.system.name", std::string("sqlite")},
                       {"db.system", std::string("sqlite")},
                       {"db.operation.name", std::string("INSERT")},
                       {"db.collection.name", std::string("negotiations")},
                       {"db.query.text", std::string("INSERT INTO negotiations (request_id, item_id, bid_amount, "
                                                     "outcome, price, created_at) VALUES (?, ?, ?, ?, ?, ?)")},
                       {"db.namespace", std::string("aura.db")}};
    }
    b->spans.push_back(std::move(s));
  }
  return b;
}

const Batch& HiveLikeBatch(size_t shift = 0) {
  static const Batch* batches[] = {MakeHiveLikeBatch(0), MakeHiveLikeBatch(1)};
  return *batches[shift % 2];
}

// What the OTLP exporters do per batch: the request's bytes from the spans.
void BM_OtlpEncodeBatch(benchmark::State& state) {
  size_t bytes = 0;
  size_t n = 0;
  otlp::RequestEncoder encoder;  // reused from batch to batch, as by an exporter
  for (auto _ : state) {
    std::string_view body = encoder.Encode(HiveLikeBatch(n++).spans);
    bytes = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.counters["request_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_OtlpEncodeBatch)->Unit(benchmark::kMicrosecond);

// The same bytes by way of the generated protobuf message (ToProto, then
// SerializeAsString): what encoding cost before RequestEncoder, for comparison.
void BM_OtlpEncodeBatchViaProtobufMessage(benchmark::State& state) {
  size_t n = 0;
  for (auto _ : state) {
    otlp::proto::collector::trace::v1::ExportTraceServiceRequest request;
    otlp::ToProto(HiveLikeBatch(n++).spans, &request);
    std::string body = request.SerializeAsString();
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_OtlpEncodeBatchViaProtobufMessage)->Unit(benchmark::kMicrosecond);

void BM_RecentSpanStoreAddBatch(benchmark::State& state) {
  const Batch& b = HiveLikeBatch();
  exporters::RecentSpanStore store(4096);
  for (auto _ : state) {
    store.Add(b.spans);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_RecentSpanStoreAddBatch)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace aura::telemetry
