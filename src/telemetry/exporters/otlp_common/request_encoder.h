// File: telemetry/exporters/otlp_common/request_encoder.h
//
// RequestEncoder: the serialized OTLP ExportTraceServiceRequest of a batch of
// spans, written straight from the SDK's SpanData into one reused buffer.
//
//   RequestEncoder encoder;                       // one per exporter
//   std::string_view body = encoder.Encode(spans);  // valid until the next Encode
//
// The bytes are exactly those of ToProto(spans).SerializeAsString() (same
// grouping by resource and scope, same fields, in field-number order), without
// building the protobuf message first: building it copied every name, key and
// string value once more and left protobuf (and gRPC, which measures a message
// again before serialising it) to walk it twice. Tests hold the two encodings
// byte for byte equal over random batches of every span shape.
//
// Not thread-safe: an exporter encodes one batch at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/sdk/span_data.h"

namespace aura::telemetry::otlp {

class RequestEncoder {
 public:
  // What stays allocated between batches is about one ordinary batch: after a
  // batch above this size the buffer is given back.
  static constexpr size_t kKeepBytes = 4u << 20;

  // The serialized request for `spans`, valid until the next Encode. May throw
  // std::bad_alloc.
  std::string_view Encode(std::span<const std::unique_ptr<sdk::SpanData>> spans);

 private:
  // The spans of one (resource, scope) pair: order_[first, first + count).
  struct Group {
    const sdk::Resource* resource;
    const sdk::InstrumentationScope* scope;
    uint32_t count;
    uint32_t first;
    size_t bytes;  // of the ScopeSpans message
  };
  // One ResourceSpans message: groups_[first, first + count).
  struct ResourceGroups {
    const sdk::Resource* resource;
    uint32_t count;
    uint32_t first;
    size_t bytes;
  };

  // Per batch; kept to reuse their storage.
  std::string buffer_;
  std::vector<Group> groups_;             // in the order they are written
  std::vector<ResourceGroups> resources_;  // in the order they are written
  std::vector<uint32_t> order_;           // span indices, grouped
  std::vector<uint32_t> span_group_;      // group of each span, in batch order
  std::vector<size_t> span_bytes_;        // Span message sizes, by position in order_
};

}  // namespace aura::telemetry::otlp
