#include "gateway/telemetry_routes.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "gateway/json_writer.h"

namespace aura::gateway {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of one query component ('+' is a space).
std::optional<std::string> Decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool IsTraceId(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (HexValue(c) < 0) return false;
  }
  return true;
}

}  // namespace

common::Result<telemetry::exporters::TraceQuery> ParseTraceQuery(std::string_view query) {
  telemetry::exporters::TraceQuery q;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = Decode(pair.substr(0, eq));
    auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) return common::InvalidArgumentError("Malformed query string");
    if (*key == "trace_id") {
      if (!IsTraceId(*value)) return common::InvalidArgumentError("trace_id must be 32 hex digits");
      q.trace_id = *value;
      for (char& c : q.trace_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (*key == "service") {
      q.service = *value;
    } else if (*key == "min_duration_ms") {
      double ms = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), ms);
      if (ec != std::errc() || p != value->data() + value->size() || !std::isfinite(ms) || ms < 0) {
        return common::InvalidArgumentError("min_duration_ms must be a non-negative number");
      }
      q.min_duration_ms = ms;
    } else if (*key == "error") {
      if (*value == "true" || *value == "1") {
        q.errors_only = true;
      } else if (*value == "false" || *value == "0") {
        q.errors_only = false;
      } else {
        return common::InvalidArgumentError("error must be true or false");
      }
    } else if (*key == "limit") {
      size_t limit = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), limit);
      if (ec != std::errc() || p != value->data() + value->size() || limit < 1 || limit > 1000) {
        return common::InvalidArgumentError("limit must be an integer from 1 to 1000");
      }
      q.limit = limit;
    }
    // Unknown parameters are ignored (cache busters and the like).
  }
  return q;
}

http::HttpHandler DebugTracesHandler(std::shared_ptr<telemetry::exporters::RecentSpanStore> store) {
  return [store = std::move(store)](http::HttpRequest& req, http::HttpResponder responder) {
    auto query = ParseTraceQuery(req.query);
    if (!query.ok()) {
      std::move(responder).Send(http::HttpResponse::Error(400, query.status().message()));
      return;
    }
    std::move(responder).Send(http::HttpResponse::Json(200, store->QueryJson(query.value())));
  };
}

std::string TelemetryHealthJson(const telemetry::sdk::TracingHealth& h) {
  JsonWriter w;
  w.BeginObject()
      .Key("status").String(h.enabled ? telemetry::sdk::ExporterStateName(h.exporter_state)
                                      : std::string_view("disabled"))
      .Key("enabled").Bool(h.enabled)
      .Key("exporter").String(h.exporter)
      .Key("endpoint").String(h.endpoint)
      .Key("last_error").String(h.last_error)
      .Key("spans_started").Int(static_cast<int64_t>(h.spans_started))
      .Key("spans_exported").Int(static_cast<int64_t>(h.spans_exported))
      .Key("spans_dropped").Int(static_cast<int64_t>(h.spans_dropped))
      .Key("spans_failed").Int(static_cast<int64_t>(h.spans_failed))
      .Key("exports_failed").Int(static_cast<int64_t>(h.exports_failed))
      .EndObject();
  return std::move(w).Take();
}

}  // namespace aura::gateway
