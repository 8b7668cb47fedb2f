// File: telemetry/sdk/span_json.h
//
// One span as a JSON object (the console exporter's line format and the
// /debug/traces records):
//   {"name":"POST /v1/negotiate","trace_id":"4bf9…","span_id":"00f0…",
//    "parent_span_id":"","kind":"server","start_time_unix_nano":…,
//    "end_time_unix_nano":…,"duration_ms":1.25,"status":{"code":"unset"},
//    "attributes":{"http.request.method":"POST",…},"events":[…],"links":[…],
//    "service":"aura-gateway","scope":"aura.gateway"}
//
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "telemetry/sdk/span_data.h"

namespace aura::telemetry::sdk {

std::string_view SpanKindName(SpanKind kind) noexcept;      // "internal", "server", ...
std::string_view StatusCodeName(StatusCode code) noexcept;  // "unset", "ok", "error"
// Appends the JSON object of `span` to `out`.
void AppendSpanJson(const SpanData& span, std::string& out);
// Appends an attribute value as JSON (arrays as JSON arrays).
void AppendAttributeValueJson(const AttributeValue& value, std::string& out);

}  // namespace aura::telemetry::sdk
