// The message walk here is written by hand: protobuf serialises only its own
// generated messages, and building one from SpanData first is the cost this
// module removes. The wire primitives (tags, varints, fixed64, raw bytes) are
// protobuf's own CodedOutputStream; the field numbers are those of the OTLP
// protos (opentelemetry/proto/{collector/trace,trace,common,resource}/v1).
//
// Two passes per batch: the first measures every nested message (its length
// prefix must precede it), the second writes into a buffer of exactly that
// size. proto3 rules as protobuf applies them: a scalar or string field at its
// default value is left out, a set sub-message or oneof member is written even
// when empty.
#include "telemetry/exporters/otlp_common/request_encoder.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "telemetry/sdk/resource.h"

namespace aura::telemetry::otlp {
namespace {

using Coded = google::protobuf::io::CodedOutputStream;

// Wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;

// Field numbers.
namespace request {
constexpr uint32_t kResourceSpans = 1;
}
namespace resource_spans {
constexpr uint32_t kResource = 1;
constexpr uint32_t kScopeSpans = 2;
}  // namespace resource_spans
namespace resource {
constexpr uint32_t kAttributes = 1;
}
namespace scope_spans {
constexpr uint32_t kScope = 1;
constexpr uint32_t kSpans = 2;
}  // namespace scope_spans
namespace scope {
constexpr uint32_t kName = 1;
constexpr uint32_t kVersion = 2;
}  // namespace scope
namespace span {
constexpr uint32_t kTraceId = 1;
constexpr uint32_t kSpanId = 2;
constexpr uint32_t kTraceState = 3;
constexpr uint32_t kParentSpanId = 4;
constexpr uint32_t kName = 5;
constexpr uint32_t kKind = 6;
constexpr uint32_t kStartTime = 7;
constexpr uint32_t kEndTime = 8;
constexpr uint32_t kAttributes = 9;
constexpr uint32_t kDroppedAttributes = 10;
constexpr uint32_t kEvents = 11;
constexpr uint32_t kDroppedEvents = 12;
constexpr uint32_t kLinks = 13;
constexpr uint32_t kDroppedLinks = 14;
constexpr uint32_t kStatus = 15;
}  // namespace span
namespace event {
constexpr uint32_t kTime = 1;
constexpr uint32_t kName = 2;
constexpr uint32_t kAttributes = 3;
constexpr uint32_t kDroppedAttributes = 4;
}  // namespace event
namespace link {
constexpr uint32_t kTraceId = 1;
constexpr uint32_t kSpanId = 2;
constexpr uint32_t kTraceState = 3;
constexpr uint32_t kAttributes = 4;
constexpr uint32_t kDroppedAttributes = 5;
}  // namespace link
namespace status {
constexpr uint32_t kMessage = 2;
constexpr uint32_t kCode = 3;
}  // namespace status
namespace key_value {
constexpr uint32_t kKey = 1;
constexpr uint32_t kValue = 2;
}  // namespace key_value
namespace any_value {
constexpr uint32_t kString = 1;
constexpr uint32_t kBool = 2;
constexpr uint32_t kInt = 3;
constexpr uint32_t kDouble = 4;
constexpr uint32_t kArray = 5;
}  // namespace any_value
namespace array_value {
constexpr uint32_t kValues = 1;
}

constexpr uint32_t Tag(uint32_t field, uint32_t wire) { return field << 3 | wire; }
// Every field number here is below 16: each tag is one byte.
constexpr size_t kTagBytes = 1;
static_assert(Tag(15, kLengthDelimited) < 0x80);

// ---- sizes ----

// A length-delimited field holding `n` bytes: tag, length, payload.
size_t Field(size_t n) { return kTagBytes + Coded::VarintSize64(n) + n; }
size_t StringField(std::string_view s) { return s.empty() ? 0 : Field(s.size()); }
size_t VarintField(uint64_t v) { return v == 0 ? 0 : kTagBytes + Coded::VarintSize64(v); }
size_t Fixed64Field(int64_t v) { return v == 0 ? 0 : kTagBytes + 8; }

// An AnyValue holding one array element or a scalar attribute value.
size_t ScalarBytes(bool) { return kTagBytes + 1; }
size_t ScalarBytes(int64_t v) { return kTagBytes + Coded::VarintSize64(static_cast<uint64_t>(v)); }
size_t ScalarBytes(double) { return kTagBytes + 8; }
size_t ScalarBytes(const std::string& v) { return Field(v.size()); }

// The ArrayValue of an array attribute.
template <class Vector>
size_t ArrayBytes(const Vector& v) {
  size_t n = 0;
  for (const auto& item : v) n += Field(ScalarBytes(item));
  return n;
}

size_t AnyValueBytes(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> || std::is_same_v<T, double> ||
                      std::is_same_v<T, std::string>) {
          return ScalarBytes(v);
        } else {
          return Field(ArrayBytes(v));
        }
      },
      value);
}

size_t KeyValueBytes(const std::string& key, const AttributeValue& value) {
  return StringField(key) + Field(AnyValueBytes(value));
}

// The repeated KeyValue field of `attrs`.
size_t AttributesBytes(const sdk::AttributeList& attrs) {
  size_t n = 0;
  for (const auto& [key, value] : attrs) n += Field(KeyValueBytes(key, value));
  return n;
}

size_t StatusBytes(const sdk::SpanData& s) {
  const bool message = s.status == StatusCode::kError;
  return (message ? StringField(s.status_description) : 0) + VarintField(static_cast<uint64_t>(s.status));
}

size_t EventBytes(const sdk::SpanEvent& e) {
  return Fixed64Field(e.time_unix_nanos) + StringField(e.name) + AttributesBytes(e.attributes) +
         VarintField(e.dropped_attributes_count);
}

size_t LinkBytes(const sdk::SpanLink& l) {
  return Field(16) + Field(8) + StringField(l.context.trace_state) + AttributesBytes(l.attributes) +
         VarintField(l.dropped_attributes_count);
}

size_t SpanBytes(const sdk::SpanData& s) {
  size_t n = Field(16) + Field(8) + StringField(s.context.trace_state);
  if (s.HasParent()) n += Field(8);
  n += StringField(s.name) + VarintField(static_cast<uint64_t>(s.kind));
  n += Fixed64Field(s.start_unix_nanos) + Fixed64Field(s.end_unix_nanos);
  n += AttributesBytes(s.attributes) + VarintField(s.dropped_attributes_count);
  for (const sdk::SpanEvent& e : s.events) n += Field(EventBytes(e));
  n += VarintField(s.dropped_events_count);
  for (const sdk::SpanLink& l : s.links) n += Field(LinkBytes(l));
  n += VarintField(s.dropped_links_count);
  n += Field(StatusBytes(s));
  return n;
}

size_t ScopeBytes(const sdk::InstrumentationScope& scope) {
  return StringField(scope.name) + StringField(scope.version);
}

// ---- writing ----

uint8_t* PutTag(uint32_t field, uint32_t wire, uint8_t* p) { return Coded::WriteTagToArray(Tag(field, wire), p); }
// The tag and length of a length-delimited field of `n` bytes; the caller writes them.
uint8_t* PutHeader(uint32_t field, size_t n, uint8_t* p) {
  p = PutTag(field, kLengthDelimited, p);
  return Coded::WriteVarint64ToArray(n, p);
}
uint8_t* PutBytes(uint32_t field, const void* data, size_t n, uint8_t* p) {
  p = PutHeader(field, n, p);
  std::memcpy(p, data, n);
  return p + n;
}
uint8_t* PutString(uint32_t field, std::string_view s, uint8_t* p) {
  return s.empty() ? p : PutBytes(field, s.data(), s.size(), p);
}
uint8_t* PutVarint(uint32_t field, uint64_t v, uint8_t* p) {
  if (v == 0) return p;
  p = PutTag(field, kVarint, p);
  return Coded::WriteVarint64ToArray(v, p);
}
uint8_t* PutFixed64(uint32_t field, int64_t v, uint8_t* p) {
  if (v == 0) return p;
  p = PutTag(field, kFixed64, p);
  return Coded::WriteLittleEndian64ToArray(static_cast<uint64_t>(v), p);
}

// The oneof member of an AnyValue (written even at its default).
uint8_t* PutScalar(bool v, uint8_t* p) {
  p = PutTag(any_value::kBool, kVarint, p);
  return Coded::WriteVarint32ToArray(v ? 1 : 0, p);
}
uint8_t* PutScalar(int64_t v, uint8_t* p) {
  p = PutTag(any_value::kInt, kVarint, p);
  return Coded::WriteVarint64ToArray(static_cast<uint64_t>(v), p);
}
uint8_t* PutScalar(double v, uint8_t* p) {
  p = PutTag(any_value::kDouble, kFixed64, p);
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return Coded::WriteLittleEndian64ToArray(bits, p);
}
uint8_t* PutScalar(const std::string& v, uint8_t* p) { return PutBytes(any_value::kString, v.data(), v.size(), p); }

uint8_t* PutAnyValue(const AttributeValue& value, uint8_t* p) {
  return std::visit(
      [p](const auto& v) -> uint8_t* {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t> || std::is_same_v<T, double> ||
                      std::is_same_v<T, std::string>) {
          return PutScalar(v, p);
        } else {
          uint8_t* q = PutHeader(any_value::kArray, ArrayBytes(v), p);
          for (const auto& item : v) {
            q = PutHeader(array_value::kValues, ScalarBytes(item), q);
            q = PutScalar(item, q);
          }
          return q;
        }
      },
      value);
}

uint8_t* PutAttributes(uint32_t field, const sdk::AttributeList& attrs, uint8_t* p) {
  for (const auto& [key, value] : attrs) {
    p = PutHeader(field, KeyValueBytes(key, value), p);
    p = PutString(key_value::kKey, key, p);
    p = PutHeader(key_value::kValue, AnyValueBytes(value), p);
    p = PutAnyValue(value, p);
  }
  return p;
}

uint8_t* PutSpan(const sdk::SpanData& s, uint8_t* p) {
  p = PutBytes(span::kTraceId, s.context.trace_id.bytes.data(), 16, p);
  p = PutBytes(span::kSpanId, s.context.span_id.bytes.data(), 8, p);
  p = PutString(span::kTraceState, s.context.trace_state, p);
  if (s.HasParent()) p = PutBytes(span::kParentSpanId, s.parent_span_id.bytes.data(), 8, p);
  p = PutString(span::kName, s.name, p);
  p = PutVarint(span::kKind, static_cast<uint64_t>(s.kind), p);
  p = PutFixed64(span::kStartTime, s.start_unix_nanos, p);
  p = PutFixed64(span::kEndTime, s.end_unix_nanos, p);
  p = PutAttributes(span::kAttributes, s.attributes, p);
  p = PutVarint(span::kDroppedAttributes, s.dropped_attributes_count, p);
  for (const sdk::SpanEvent& e : s.events) {
    p = PutHeader(span::kEvents, EventBytes(e), p);
    p = PutFixed64(event::kTime, e.time_unix_nanos, p);
    p = PutString(event::kName, e.name, p);
    p = PutAttributes(event::kAttributes, e.attributes, p);
    p = PutVarint(event::kDroppedAttributes, e.dropped_attributes_count, p);
  }
  p = PutVarint(span::kDroppedEvents, s.dropped_events_count, p);
  for (const sdk::SpanLink& l : s.links) {
    p = PutHeader(span::kLinks, LinkBytes(l), p);
    p = PutBytes(link::kTraceId, l.context.trace_id.bytes.data(), 16, p);
    p = PutBytes(link::kSpanId, l.context.span_id.bytes.data(), 8, p);
    p = PutString(link::kTraceState, l.context.trace_state, p);
    p = PutAttributes(link::kAttributes, l.attributes, p);
    p = PutVarint(link::kDroppedAttributes, l.dropped_attributes_count, p);
  }
  p = PutVarint(span::kDroppedLinks, s.dropped_links_count, p);
  p = PutHeader(span::kStatus, StatusBytes(s), p);
  if (s.status == StatusCode::kError) p = PutString(status::kMessage, s.status_description, p);
  return PutVarint(status::kCode, static_cast<uint64_t>(s.status), p);
}

}  // namespace

std::string_view RequestEncoder::Encode(std::span<const std::unique_ptr<sdk::SpanData>> spans) {
  // Group as ToProto does: resources in first-seen order, within each its
  // scopes in first-seen order, within each the spans in batch order. A batch
  // holds one resource and a handful of scopes, so linear lookups win.
  std::vector<Group> seen;  // groups in first-seen order
  seen.reserve(8);
  span_group_.resize(spans.size());
  uint32_t last = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    const sdk::SpanData& s = *spans[i];
    if (seen.empty() || seen[last].resource != s.resource || seen[last].scope != s.scope) {
      last = static_cast<uint32_t>(std::find_if(seen.begin(), seen.end(),
                                                [&](const Group& g) {
                                                  return g.resource == s.resource && g.scope == s.scope;
                                                }) -
                                   seen.begin());
      if (last == seen.size()) seen.push_back(Group{s.resource, s.scope, 0, 0, 0});
    }
    ++seen[last].count;
    span_group_[i] = last;
  }
  // groups_ in written order; `written[g]` is where first-seen group g went.
  resources_.clear();
  groups_.clear();
  std::vector<uint32_t> written(seen.size());
  for (size_t g = 0; g < seen.size(); ++g) {
    bool done = false;
    for (const ResourceGroups& r : resources_) done = done || r.resource == seen[g].resource;
    if (done) continue;
    ResourceGroups r{seen[g].resource, 0, static_cast<uint32_t>(groups_.size()), 0};
    for (size_t h = g; h < seen.size(); ++h) {
      if (seen[h].resource != r.resource) continue;
      written[h] = static_cast<uint32_t>(groups_.size());
      groups_.push_back(seen[h]);
      ++r.count;
    }
    resources_.push_back(r);
  }
  uint32_t next = 0;
  for (Group& g : groups_) {
    g.first = next;
    next += g.count;
    g.count = 0;  // counts again below as its spans are placed
  }
  order_.resize(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    Group& g = groups_[written[span_group_[i]]];
    order_[g.first + g.count++] = static_cast<uint32_t>(i);
  }

  // Measure.
  span_bytes_.resize(spans.size());
  size_t total = 0;
  for (ResourceGroups& r : resources_) {
    r.bytes = r.resource != nullptr ? Field(AttributesBytes(r.resource->attributes())) : 0;
    for (uint32_t gi = r.first; gi < r.first + r.count; ++gi) {
      Group& g = groups_[gi];
      g.bytes = g.scope != nullptr ? Field(ScopeBytes(*g.scope)) : 0;
      for (uint32_t k = g.first; k < g.first + g.count; ++k) {
        span_bytes_[k] = SpanBytes(*spans[order_[k]]);
        g.bytes += Field(span_bytes_[k]);
      }
      r.bytes += Field(g.bytes);
    }
    total += Field(r.bytes);
  }

  // Write.
  if (buffer_.capacity() > kKeepBytes && total <= kKeepBytes) std::string().swap(buffer_);
  buffer_.resize(total);
  auto* const begin = reinterpret_cast<uint8_t*>(buffer_.data());
  uint8_t* p = begin;
  for (const ResourceGroups& r : resources_) {
    p = PutHeader(request::kResourceSpans, r.bytes, p);
    if (r.resource != nullptr) {
      p = PutHeader(resource_spans::kResource, AttributesBytes(r.resource->attributes()), p);
      p = PutAttributes(resource::kAttributes, r.resource->attributes(), p);
    }
    for (uint32_t gi = r.first; gi < r.first + r.count; ++gi) {
      const Group& g = groups_[gi];
      p = PutHeader(resource_spans::kScopeSpans, g.bytes, p);
      if (g.scope != nullptr) {
        p = PutHeader(scope_spans::kScope, ScopeBytes(*g.scope), p);
        p = PutString(scope::kName, g.scope->name, p);
        p = PutString(scope::kVersion, g.scope->version, p);
      }
      for (uint32_t k = g.first; k < g.first + g.count; ++k) {
        p = PutHeader(scope_spans::kSpans, span_bytes_[k], p);
        p = PutSpan(*spans[order_[k]], p);
      }
    }
  }
  if (static_cast<size_t>(p - begin) != total) {
    throw std::logic_error("OTLP request encoder: written size differs from the measured size");
  }
  return buffer_;
}

}  // namespace aura::telemetry::otlp
