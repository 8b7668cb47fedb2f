#include "gateway/telemetry_routes.h"

#include "gateway/json_writer.h"

namespace aura::gateway {

http::HttpHandler DebugTracesHandler(std::shared_ptr<telemetry::exporters::RecentSpanStore> store) {
  return [store = std::move(store)](http::HttpRequest& req, http::HttpResponder responder) {
    auto query = telemetry::exporters::ParseTraceQuery(req.query);
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
