// File: tests/fakes/otlp_receiver.h
//
// OtlpReceiver: a test OTLP trace receiver built from the same .proto files as
// the exporters. It listens on loopback for OTLP/gRPC and OTLP/HTTP
// (protobuf or JSON bodies are stored; protobuf is decoded), keeps what it
// receives, and can be scripted to fail the way collectors do.
//
//   auto rx = fakes::OtlpReceiver::Start();                 // free ports
//   env["OTEL_EXPORTER_OTLP_ENDPOINT"] = rx->grpc_endpoint();
//   rx->QueueReplies({.kind = fakes::Reply::kUnavailable}, 2);  // next 2 requests fail
//   ... export ...
//   ASSERT_TRUE(rx->WaitForSpans(3, std::chrono::seconds(5)));
//   rx->Spans()[0].span.name();
//
// Replies by kind: kOk; kUnavailable (gRPC UNAVAILABLE / HTTP 503); kThrottled
// (gRPC RESOURCE_EXHAUSTED with RetryInfo / HTTP 429 with Retry-After, both
// `retry_after`); kBadRequest (INVALID_ARGUMENT / 400); kInternal (INTERNAL /
// 500); kPartialSuccess (OK / 200 with `rejected` spans). `delay` makes any
// reply slow. Failed requests are recorded but their spans are not stored.
//
// Stop() closes both listeners; Start() again with the same ports simulates a
// restarted collector. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace aura::fakes {

struct Reply {
  enum Kind { kOk, kUnavailable, kThrottled, kBadRequest, kInternal, kPartialSuccess };
  Kind kind = kOk;
  std::chrono::milliseconds retry_after{1};
  std::chrono::milliseconds delay{0};
  int64_t rejected = 0;
};

struct ReceivedSpan {
  std::map<std::string, std::string> resource;  // string-valued resource attributes
  std::string scope_name;
  opentelemetry::proto::trace::v1::Span span;
  std::string protocol;  // "grpc" or "http"
};

struct ReceivedRequest {
  std::string protocol;                        // "grpc" or "http"
  std::string method;                          // HTTP method ("" for gRPC)
  std::string path;                            // HTTP path or gRPC method
  std::multimap<std::string, std::string> headers;  // lowercase names
  size_t body_bytes = 0;
  Reply::Kind replied = Reply::kOk;
};

struct OtlpReceiverOptions {
  int grpc_port = 0;  // 0 = pick a free port
  int http_port = 0;
  // false: decode and count spans and requests but keep neither, so that a
  // load benchmark's receiver stays small (Spans()/Requests() stay empty).
  // gRPC requests are then parsed on a per-call arena (the callback API),
  // which takes about half the CPU of the default parse.
  bool keep_spans = true;
  // false (with keep_spans false): gRPC exports are read whole and answered
  // OK without being decoded, and SpanCount() stays 0. For load benchmarks
  // that want the hive's own cost, as with a collector on another machine;
  // scripted replies do not apply to them.
  bool decode = true;
};

class OtlpReceiver {
 public:
  using Options = OtlpReceiverOptions;
  // Throws std::runtime_error when a port cannot be bound.
  static std::unique_ptr<OtlpReceiver> Start(Options options = {});
  ~OtlpReceiver();
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  std::string grpc_endpoint() const { return "http://127.0.0.1:" + std::to_string(grpc_port_); }
  std::string http_endpoint() const { return "http://127.0.0.1:" + std::to_string(http_port_); }

  // The reply for the next `count` requests (after those already queued).
  void QueueReplies(Reply reply, int count = 1);
  // The reply when nothing is queued (initially kOk).
  void SetDefaultReply(Reply reply);

  std::vector<ReceivedSpan> Spans() const;
  size_t SpanCount() const;  // all spans accepted, kept or not
  std::vector<ReceivedRequest> Requests() const;
  size_t RequestCount() const;  // all requests, kept or not
  bool WaitForSpans(size_t count, std::chrono::milliseconds timeout) const;
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout) const;
  // {"request_count":N,"span_count":M,"spans":[{"trace_id","span_id","parent_span_id","name","kind",
  //  "service","scope","attributes":{...},"status":{"code","message"},"events":[...]}]}
  std::string DumpJson() const;

  void Stop();

  // Used by the transports.
  Reply NextReply();
  // `parsed` is the decoded request, or nullptr when the body was not OTLP
  // protobuf (JSON, or bytes that do not parse).
  void Record(ReceivedRequest request,
              const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* parsed,
              bool store_spans);

 private:
  OtlpReceiver() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int grpc_port_ = 0;
  int http_port_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<Reply> queued_;
  Reply default_reply_;
  bool keep_spans_ = true;
  std::vector<ReceivedSpan> spans_;
  std::vector<ReceivedRequest> requests_;
  size_t span_count_ = 0;
  size_t request_count_ = 0;
};

}  // namespace aura::fakes
