#include "telemetry/sdk/span_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "common/log/log.h"
#include "telemetry/sdk/resource.h"

namespace aura::telemetry::sdk {
namespace {

using common::AppendJsonString;

void AppendDouble(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  // Shortest text that reads back as the same double.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc()) {
    out += "null";
    return;
  }
  out.append(buf, end);
}

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 bytes hold any int64_t
  out.append(buf, end);
}

void AppendHexId(const auto& id, std::string& out) {
  const size_t at = out.size();
  out.resize(at + 2 * id.bytes.size());
  id.ToHex(out.data() + at);
}

void AppendAttributes(const AttributeList& attrs, std::string& out) {
  out.push_back('{');
  bool first = true;
  for (const auto& [k, v] : attrs) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, k);
    out.push_back(':');
    AppendAttributeValueJson(v, out);
  }
  out.push_back('}');
}

}  // namespace

std::string_view SpanKindName(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::kInternal: return "internal";
    case SpanKind::kServer: return "server";
    case SpanKind::kClient: return "client";
    case SpanKind::kProducer: return "producer";
    case SpanKind::kConsumer: return "consumer";
  }
  return "internal";
}

std::string_view StatusCodeName(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kUnset: return "unset";
    case StatusCode::kOk: return "ok";
    case StatusCode::kError: return "error";
  }
  return "unset";
}

void AppendAttributeValueJson(const AttributeValue& value, std::string& out) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          AppendInt(v, out);
        } else if constexpr (std::is_same_v<T, double>) {
          AppendDouble(v, out);
        } else if constexpr (std::is_same_v<T, std::string>) {
          AppendJsonString(out, v);
        } else {
          out.push_back('[');
          for (size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out.push_back(',');
            AppendAttributeValueJson(AttributeValue(typename T::value_type(v[i])), out);
          }
          out.push_back(']');
        }
      },
      value);
}

void AppendSpanJson(const SpanData& s, std::string& out) {
  out += "{\"name\":";
  AppendJsonString(out, s.name);
  out += ",\"trace_id\":\"";
  AppendHexId(s.context.trace_id, out);
  out += "\",\"span_id\":\"";
  AppendHexId(s.context.span_id, out);
  out += "\",\"parent_span_id\":\"";
  if (s.HasParent()) AppendHexId(s.parent_span_id, out);
  out += "\",\"trace_flags\":\"";
  out.push_back(telemetry::internal::kHexDigits[(s.context.trace_flags >> 4) & 0xF]);
  out.push_back(telemetry::internal::kHexDigits[s.context.trace_flags & 0xF]);
  out += "\"";
  if (!s.context.trace_state.empty()) {
    out += ",\"trace_state\":";
    AppendJsonString(out, s.context.trace_state);
  }
  out += ",\"kind\":\"";
  out += SpanKindName(s.kind);
  out += "\",\"start_time_unix_nano\":";
  AppendInt(s.start_unix_nanos, out);
  out += ",\"end_time_unix_nano\":";
  AppendInt(s.end_unix_nanos, out);
  out += ",\"duration_ms\":";
  AppendDouble(static_cast<double>(s.end_unix_nanos - s.start_unix_nanos) / 1e6, out);
  out += ",\"status\":{\"code\":\"";
  out += StatusCodeName(s.status);
  out += "\"";
  if (!s.status_description.empty()) {
    out += ",\"description\":";
    AppendJsonString(out, s.status_description);
  }
  out += "},\"attributes\":";
  AppendAttributes(s.attributes, out);
  out += ",\"events\":[";
  for (size_t i = 0; i < s.events.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"name\":";
    AppendJsonString(out, s.events[i].name);
    out += ",\"time_unix_nano\":";
    AppendInt(s.events[i].time_unix_nanos, out);
    out += ",\"attributes\":";
    AppendAttributes(s.events[i].attributes, out);
    out.push_back('}');
  }
  out += "],\"links\":[";
  for (size_t i = 0; i < s.links.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"trace_id\":\"" + s.links[i].context.trace_id.ToHex() + "\",\"span_id\":\"" +
           s.links[i].context.span_id.ToHex() + "\",\"attributes\":";
    AppendAttributes(s.links[i].attributes, out);
    out.push_back('}');
  }
  out += "]";
  if (s.dropped_attributes_count + s.dropped_events_count + s.dropped_links_count > 0) {
    out += ",\"dropped_attributes_count\":" + std::to_string(s.dropped_attributes_count);
    out += ",\"dropped_events_count\":" + std::to_string(s.dropped_events_count);
    out += ",\"dropped_links_count\":" + std::to_string(s.dropped_links_count);
  }
  out += ",\"service\":";
  AppendJsonString(out, s.resource != nullptr ? s.resource->Get("service.name") : std::string());
  out += ",\"scope\":";
  AppendJsonString(out, s.scope != nullptr ? s.scope->name : std::string());
  out.push_back('}');
}

}  // namespace aura::telemetry::sdk
