// File: telemetry/sdk/span_data.h
//
// SpanData: everything recorded about one span, as processors and exporters
// see it after End(). Built by the SDK's recording span; exporters only read.
//
// `resource` and `scope` point into the TracerProvider that created the span
// and stay valid while that provider is alive.
//
// Plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/api/attribute.h"
#include "telemetry/api/span.h"
#include "telemetry/api/span_context.h"
#include "telemetry/sdk/attribute_list.h"

namespace aura::telemetry::sdk {

class Resource;

// The tracer a span came from (OTLP InstrumentationScope).
struct InstrumentationScope {
  std::string name;
  std::string version;
};

struct SpanEvent {
  std::string name;
  int64_t time_unix_nanos = 0;
  AttributeList attributes;
  uint32_t dropped_attributes_count = 0;
};

struct SpanLink {
  SpanContext context;
  AttributeList attributes;
  uint32_t dropped_attributes_count = 0;
};

struct SpanData {
  std::string name;
  SpanContext context;
  SpanId parent_span_id;  // all zero for a root span
  bool parent_is_remote = false;
  SpanKind kind = SpanKind::kInternal;
  int64_t start_unix_nanos = 0;
  int64_t end_unix_nanos = 0;
  AttributeList attributes;
  uint32_t dropped_attributes_count = 0;
  std::vector<SpanEvent> events;
  uint32_t dropped_events_count = 0;
  std::vector<SpanLink> links;
  uint32_t dropped_links_count = 0;
  StatusCode status = StatusCode::kUnset;
  std::string status_description;  // only with kError
  const Resource* resource = nullptr;
  const InstrumentationScope* scope = nullptr;

  bool HasParent() const noexcept { return parent_span_id.IsValid(); }
  // The attribute `key`, or nullptr.
  const AttributeValue* FindAttribute(std::string_view key) const noexcept { return attributes.Find(key); }
};

}  // namespace aura::telemetry::sdk
