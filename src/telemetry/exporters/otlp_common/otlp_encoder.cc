#include "telemetry/exporters/otlp_common/otlp_encoder.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "common/log/log.h"
#include "telemetry/sdk/resource.h"

namespace aura::telemetry::otlp {
namespace {

using proto::common::v1::AnyValue;
using proto::common::v1::KeyValue;

// Sets `out` to `value`.
void SetAnyValue(const AttributeValue& value, AnyValue* out) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out->set_bool_value(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out->set_int_value(v);
        } else if constexpr (std::is_same_v<T, double>) {
          out->set_double_value(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out->set_string_value(v);
        } else {
          auto* arr = out->mutable_array_value();
          for (const auto& item : v) {
            SetAnyValue(AttributeValue(typename T::value_type(item)), arr->add_values());
          }
        }
      },
      value);
}

// ---- protobuf wire reading (just enough for two small messages) ----
struct WireReader {
  std::string_view data;
  size_t pos = 0;
  bool Varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.size()) return false;
      uint8_t b = static_cast<uint8_t>(data[pos++]);
      out |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  // Reads a field; for length-delimited ones `bytes` gets the payload.
  bool Next(uint32_t& field, uint32_t& wire, uint64_t& number, std::string_view& bytes) {
    uint64_t tag;
    if (!Varint(tag)) return false;
    field = static_cast<uint32_t>(tag >> 3);
    wire = static_cast<uint32_t>(tag & 7);
    switch (wire) {
      case 0:
        return Varint(number);
      case 1:
        if (pos + 8 > data.size()) return false;
        pos += 8;
        return true;
      case 2: {
        uint64_t len;
        if (!Varint(len) || pos + len > data.size()) return false;
        bytes = data.substr(pos, len);
        pos += len;
        return true;
      }
      case 5:
        if (pos + 4 > data.size()) return false;
        pos += 4;
        return true;
      default:
        return false;
    }
  }
  bool done() const { return pos >= data.size(); }
};

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void PutTag(std::string& out, uint32_t field, uint32_t wire) { PutVarint(out, field << 3 | wire); }
void PutBytes(std::string& out, uint32_t field, std::string_view bytes) {
  PutTag(out, field, 2);
  PutVarint(out, bytes.size());
  out.append(bytes);
}

// ---- OTLP/JSON ----
void JsonString(std::string& out, std::string_view s) { common::AppendJsonString(out, s); }

void JsonAnyValue(const AttributeValue& value, std::string& out) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out += v ? "{\"boolValue\":true}" : "{\"boolValue\":false}";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out += "{\"intValue\":\"" + std::to_string(v) + "\"}";
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[40];
          std::snprintf(buf, sizeof buf, "%.17g", v);
          out += "{\"doubleValue\":";
          out += buf;
          out += "}";
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += "{\"stringValue\":";
          JsonString(out, v);
          out += "}";
        } else {
          out += "{\"arrayValue\":{\"values\":[";
          for (size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out.push_back(',');
            JsonAnyValue(AttributeValue(typename T::value_type(v[i])), out);
          }
          out += "]}}";
        }
      },
      value);
}

void JsonAttributes(const sdk::AttributeList& attrs, std::string& out) {
  out += "[";
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"key\":";
    JsonString(out, attrs[i].first);
    out += ",\"value\":";
    JsonAnyValue(attrs[i].second, out);
    out += "}";
  }
  out += "]";
}

}  // namespace

namespace {

void AssignBytes(std::string* out, const uint8_t* data, size_t n) {
  out->assign(reinterpret_cast<const char*>(data), n);
}

void FillAttributes(const sdk::AttributeList& attrs, google::protobuf::RepeatedPtrField<KeyValue>* out) {
  for (const auto& [k, v] : attrs) {
    KeyValue* kv = out->Add();
    kv->set_key(k);
    SetAnyValue(v, kv->mutable_value());
  }
}

void FillSpan(const sdk::SpanData& s, proto::trace::v1::Span* out) {
  AssignBytes(out->mutable_trace_id(), s.context.trace_id.bytes.data(), 16);
  AssignBytes(out->mutable_span_id(), s.context.span_id.bytes.data(), 8);
  out->set_trace_state(s.context.trace_state);
  if (s.HasParent()) AssignBytes(out->mutable_parent_span_id(), s.parent_span_id.bytes.data(), 8);
  out->set_name(s.name);
  out->set_kind(static_cast<proto::trace::v1::Span::SpanKind>(static_cast<int>(s.kind)));
  out->set_start_time_unix_nano(static_cast<uint64_t>(s.start_unix_nanos));
  out->set_end_time_unix_nano(static_cast<uint64_t>(s.end_unix_nanos));
  FillAttributes(s.attributes, out->mutable_attributes());
  out->set_dropped_attributes_count(s.dropped_attributes_count);
  for (const sdk::SpanEvent& e : s.events) {
    auto* pe = out->add_events();
    pe->set_time_unix_nano(static_cast<uint64_t>(e.time_unix_nanos));
    pe->set_name(e.name);
    FillAttributes(e.attributes, pe->mutable_attributes());
    pe->set_dropped_attributes_count(e.dropped_attributes_count);
  }
  out->set_dropped_events_count(s.dropped_events_count);
  for (const sdk::SpanLink& l : s.links) {
    auto* pl = out->add_links();
    AssignBytes(pl->mutable_trace_id(), l.context.trace_id.bytes.data(), 16);
    AssignBytes(pl->mutable_span_id(), l.context.span_id.bytes.data(), 8);
    pl->set_trace_state(l.context.trace_state);
    FillAttributes(l.attributes, pl->mutable_attributes());
    pl->set_dropped_attributes_count(l.dropped_attributes_count);
  }
  out->set_dropped_links_count(s.dropped_links_count);
  auto* status = out->mutable_status();
  status->set_code(static_cast<proto::trace::v1::Status::StatusCode>(static_cast<int>(s.status)));
  if (s.status == StatusCode::kError) status->set_message(s.status_description);
}

}  // namespace

void ToProto(std::span<const std::unique_ptr<sdk::SpanData>> spans,
             proto::collector::trace::v1::ExportTraceServiceRequest* request) {
  request->Clear();
  // Resources in first-seen order, within each its scopes in first-seen
  // order, within each the spans in batch order.
  std::vector<std::pair<const sdk::Resource*, proto::trace::v1::ResourceSpans*>> resources;
  std::vector<std::pair<std::pair<const sdk::Resource*, const sdk::InstrumentationScope*>,
                        proto::trace::v1::ScopeSpans*>>
      scopes;
  for (const auto& sp : spans) {
    const sdk::SpanData& s = *sp;
    auto scope = std::find_if(scopes.begin(), scopes.end(), [&](const auto& e) {
      return e.first == std::make_pair(s.resource, s.scope);
    });
    if (scope == scopes.end()) {
      auto r = std::find_if(resources.begin(), resources.end(), [&](const auto& e) { return e.first == s.resource; });
      if (r == resources.end()) {
        auto* rs = request->add_resource_spans();
        if (s.resource != nullptr) FillAttributes(s.resource->attributes(), rs->mutable_resource()->mutable_attributes());
        resources.emplace_back(s.resource, rs);
        r = resources.end() - 1;
      }
      auto* ss = r->second->add_scope_spans();
      if (s.scope != nullptr) {
        ss->mutable_scope()->set_name(s.scope->name);
        ss->mutable_scope()->set_version(s.scope->version);
      }
      scopes.emplace_back(std::make_pair(s.resource, s.scope), ss);
      scope = scopes.end() - 1;
    }
    FillSpan(s, scope->second->add_spans());
  }
}

std::string ToOtlpJson(std::span<const std::unique_ptr<sdk::SpanData>> spans) {
  // Group as ToProto does, preserving first-seen order.
  std::vector<const sdk::Resource*> resources;
  std::map<const sdk::Resource*, std::vector<const sdk::InstrumentationScope*>> scopes;
  std::map<std::pair<const sdk::Resource*, const sdk::InstrumentationScope*>, std::vector<const sdk::SpanData*>>
      grouped;
  for (const auto& sp : spans) {
    if (!scopes.count(sp->resource)) resources.push_back(sp->resource);
    auto& sc = scopes[sp->resource];
    auto key = std::make_pair(sp->resource, sp->scope);
    if (!grouped.count(key)) sc.push_back(sp->scope);
    grouped[key].push_back(sp.get());
  }
  std::string out = "{\"resourceSpans\":[";
  for (size_t ri = 0; ri < resources.size(); ++ri) {
    const sdk::Resource* r = resources[ri];
    if (ri > 0) out.push_back(',');
    out += "{\"resource\":{\"attributes\":";
    JsonAttributes(r != nullptr ? r->attributes() : sdk::AttributeList{}, out);
    out += "},\"scopeSpans\":[";
    const auto& scs = scopes[r];
    for (size_t si = 0; si < scs.size(); ++si) {
      if (si > 0) out.push_back(',');
      out += "{\"scope\":{\"name\":";
      JsonString(out, scs[si] != nullptr ? scs[si]->name : "");
      out += ",\"version\":";
      JsonString(out, scs[si] != nullptr ? scs[si]->version : "");
      out += "},\"spans\":[";
      const auto& list = grouped[{r, scs[si]}];
      for (size_t k = 0; k < list.size(); ++k) {
        const sdk::SpanData& s = *list[k];
        if (k > 0) out.push_back(',');
        out += "{\"traceId\":\"" + s.context.trace_id.ToHex() + "\",\"spanId\":\"" + s.context.span_id.ToHex() +
               "\"";
        if (!s.context.trace_state.empty()) {
          out += ",\"traceState\":";
          JsonString(out, s.context.trace_state);
        }
        if (s.HasParent()) out += ",\"parentSpanId\":\"" + s.parent_span_id.ToHex() + "\"";
        out += ",\"name\":";
        JsonString(out, s.name);
        out += ",\"kind\":" + std::to_string(static_cast<int>(s.kind));
        out += ",\"startTimeUnixNano\":\"" + std::to_string(s.start_unix_nanos) + "\"";
        out += ",\"endTimeUnixNano\":\"" + std::to_string(s.end_unix_nanos) + "\"";
        out += ",\"attributes\":";
        JsonAttributes(s.attributes, out);
        if (s.dropped_attributes_count > 0) {
          out += ",\"droppedAttributesCount\":" + std::to_string(s.dropped_attributes_count);
        }
        out += ",\"events\":[";
        for (size_t e = 0; e < s.events.size(); ++e) {
          if (e > 0) out.push_back(',');
          out += "{\"timeUnixNano\":\"" + std::to_string(s.events[e].time_unix_nanos) + "\",\"name\":";
          JsonString(out, s.events[e].name);
          out += ",\"attributes\":";
          JsonAttributes(s.events[e].attributes, out);
          out += "}";
        }
        out += "],\"links\":[";
        for (size_t l = 0; l < s.links.size(); ++l) {
          if (l > 0) out.push_back(',');
          out += "{\"traceId\":\"" + s.links[l].context.trace_id.ToHex() + "\",\"spanId\":\"" +
                 s.links[l].context.span_id.ToHex() + "\",\"attributes\":";
          JsonAttributes(s.links[l].attributes, out);
          out += "}";
        }
        out += "],\"status\":{\"code\":" + std::to_string(static_cast<int>(s.status));
        if (s.status == StatusCode::kError && !s.status_description.empty()) {
          out += ",\"message\":";
          JsonString(out, s.status_description);
        }
        out += "}}";
      }
      out += "]}";
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

std::optional<std::string> Gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(zs.total_out);
  return out;
}

std::optional<std::string> Gunzip(std::string_view data, size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return std::nullopt;  // gzip or zlib
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return std::nullopt;
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      return std::nullopt;
    }
    if (rc == Z_STREAM_END) break;
    if (zs.avail_in == 0 && zs.avail_out != 0) {  // truncated input
      inflateEnd(&zs);
      return std::nullopt;
    }
  }
  inflateEnd(&zs);
  return out;
}

std::optional<PartialSuccess> ReadPartialSuccess(std::string_view response_bytes) {
  WireReader r{response_bytes};
  uint32_t field, wire;
  uint64_t number;
  std::string_view bytes;
  while (!r.done()) {
    if (!r.Next(field, wire, number, bytes)) return std::nullopt;
    if (field != 1 || wire != 2) continue;
    PartialSuccess ps;
    WireReader inner{bytes};
    while (!inner.done()) {
      std::string_view b;
      uint64_t n = 0;
      if (!inner.Next(field, wire, n, b)) return std::nullopt;
      if (field == 1 && wire == 0) ps.rejected_spans = static_cast<int64_t>(n);
      if (field == 2 && wire == 2) ps.error_message = std::string(b);
    }
    return ps;
  }
  return std::nullopt;
}

std::string EncodePartialSuccessResponse(int64_t rejected_spans, std::string_view error_message) {
  std::string inner;
  if (rejected_spans != 0) {
    PutTag(inner, 1, 0);
    PutVarint(inner, static_cast<uint64_t>(rejected_spans));
  }
  if (!error_message.empty()) PutBytes(inner, 2, error_message);
  std::string out;
  PutBytes(out, 1, inner);
  return out;
}

std::optional<std::chrono::milliseconds> ReadRetryInfoDelay(std::string_view status_details) {
  static constexpr std::string_view kRetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";
  WireReader r{status_details};
  uint32_t field, wire;
  uint64_t number;
  std::string_view bytes;
  while (!r.done()) {
    if (!r.Next(field, wire, number, bytes)) return std::nullopt;
    if (field != 3 || wire != 2) continue;  // google.rpc.Status.details (Any)
    WireReader any{bytes};
    std::string_view type_url, value;
    while (!any.done()) {
      std::string_view b;
      uint64_t n;
      if (!any.Next(field, wire, n, b)) return std::nullopt;
      if (field == 1 && wire == 2) type_url = b;
      if (field == 2 && wire == 2) value = b;
    }
    if (type_url != kRetryInfoType) continue;
    WireReader info{value};
    while (!info.done()) {
      std::string_view duration;
      uint64_t n;
      if (!info.Next(field, wire, n, duration)) return std::nullopt;
      if (field != 1 || wire != 2) continue;  // RetryInfo.retry_delay
      WireReader d{duration};
      int64_t seconds = 0, nanos = 0;
      while (!d.done()) {
        std::string_view b;
        uint64_t v = 0;
        if (!d.Next(field, wire, v, b)) return std::nullopt;
        if (field == 1 && wire == 0) seconds = static_cast<int64_t>(v);
        if (field == 2 && wire == 0) nanos = static_cast<int64_t>(v);
      }
      return std::chrono::milliseconds(seconds * 1000 + nanos / 1000000);
    }
    return std::chrono::milliseconds(0);
  }
  return std::nullopt;
}

std::string EncodeRetryInfoStatus(int code, std::string_view message, std::chrono::milliseconds delay) {
  std::string duration;
  int64_t ms = delay.count();
  if (ms / 1000 != 0) {
    PutTag(duration, 1, 0);
    PutVarint(duration, static_cast<uint64_t>(ms / 1000));
  }
  if (ms % 1000 != 0) {
    PutTag(duration, 2, 0);
    PutVarint(duration, static_cast<uint64_t>((ms % 1000) * 1000000));
  }
  std::string retry_info;
  PutBytes(retry_info, 1, duration);
  std::string any;
  PutBytes(any, 1, "type.googleapis.com/google.rpc.RetryInfo");
  PutBytes(any, 2, retry_info);
  std::string status;
  PutTag(status, 1, 0);
  PutVarint(status, static_cast<uint64_t>(code));
  PutBytes(status, 2, message);
  PutBytes(status, 3, any);
  return status;
}

}  // namespace aura::telemetry::otlp
