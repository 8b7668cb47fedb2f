#include "telemetry/exporters/otlp_common/otlp_options.h"
#include "common/text/percent_decode.h"

#include <charconv>
#include <optional>

namespace aura::telemetry::otlp {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The `_TRACES_` variable if set, else the generic one.
std::optional<std::string> Signal(const common::Environment& env, std::string_view suffix) {
  if (auto v = env.Get("OTEL_EXPORTER_OTLP_TRACES_" + std::string(suffix))) return v;
  return env.Get("OTEL_EXPORTER_OTLP_" + std::string(suffix));
}

std::optional<bool> ParseBool(const std::string& v) {
  std::string l = Lower(std::string(Trim(v)));
  if (l == "true") return true;
  if (l == "false") return false;
  return std::nullopt;
}

}  // namespace

std::string_view OtlpProtocolName(OtlpProtocol p) noexcept {
  switch (p) {
    case OtlpProtocol::kGrpc: return "grpc";
    case OtlpProtocol::kHttpProtobuf: return "http/protobuf";
    case OtlpProtocol::kHttpJson: return "http/json";
  }
  return "http/protobuf";
}

std::optional<EndpointParts> ParseEndpoint(std::string_view endpoint) {
  EndpointParts parts;
  std::string_view rest = Trim(endpoint);
  size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    parts.scheme = Lower(std::string(rest.substr(0, scheme_end)));
    if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;
    rest.remove_prefix(scheme_end + 3);
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) parts.path = std::string(rest.substr(slash));
  if (authority.empty()) return std::nullopt;
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
      if (port.empty()) return std::nullopt;
    }
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    for (char c : host) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                c == '-' || c == '_';
      if (!ok) return std::nullopt;
    }
  }
  parts.host = std::string(host);
  if (!port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p < 1 || p > 65535) return std::nullopt;
    parts.port = p;
  }
  return parts;
}

std::string HttpTracesUrl(std::string_view traces_endpoint, std::string_view base_endpoint) {
  if (!traces_endpoint.empty()) {
    std::string url(Trim(traces_endpoint));
    size_t scheme = url.find("://");
    size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (path == std::string::npos) url.push_back('/');
    return url;
  }
  std::string url(Trim(base_endpoint));
  if (url.empty() || url.back() != '/') url.push_back('/');
  return url + "v1/traces";
}

std::vector<std::pair<std::string, std::string>> ParseOtlpHeaders(std::string_view text,
                                                                  std::vector<std::string>& warnings) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view member = Trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                                     : comma - start));
    if (!member.empty()) {
      size_t eq = member.find('=');
      std::optional<std::string> key, value;
      if (eq != std::string_view::npos) {
        key = common::PercentDecode(Trim(member.substr(0, eq)));
        value = common::PercentDecode(Trim(member.substr(eq + 1)));
      }
      if (!key || !value || key->empty()) {
        warnings.push_back("OTEL_EXPORTER_OTLP_HEADERS: ignoring a malformed member");
      } else {
        out.emplace_back(Lower(std::string(Trim(*key))), std::string(Trim(*value)));
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

OtlpExporterOptions ParseOtlpOptions(const common::Environment& env, std::string_view endpoint_override,
                                     std::vector<std::string>& warnings) {
  OtlpExporterOptions o;
  auto traces_endpoint = env.Get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  std::string base_endpoint = std::string(endpoint_override);
  if (base_endpoint.empty()) base_endpoint = env.Get("OTEL_EXPORTER_OTLP_ENDPOINT").value_or("");
  o.endpoint_configured = traces_endpoint.has_value() || !base_endpoint.empty();
  std::string effective = traces_endpoint ? *traces_endpoint : base_endpoint;

  // Protocol.
  std::optional<std::string> protocol = Signal(env, "PROTOCOL");
  bool protocol_known = false;
  if (protocol) {
    std::string p = Lower(std::string(Trim(*protocol)));
    if (p == "grpc") {
      o.protocol = OtlpProtocol::kGrpc;
      protocol_known = true;
    } else if (p == "http/protobuf") {
      o.protocol = OtlpProtocol::kHttpProtobuf;
      protocol_known = true;
    } else if (p == "http/json") {
      o.protocol = OtlpProtocol::kHttpJson;
      protocol_known = true;
    } else {
      warnings.push_back("OTEL_EXPORTER_OTLP_PROTOCOL: unknown protocol '" + *protocol + "'");
    }
  }
  std::optional<EndpointParts> parts;
  if (!effective.empty()) {
    parts = ParseEndpoint(effective);
    if (!parts) o.endpoint_error = "OTLP endpoint '" + effective + "' is not a URL";
  }
  if (!protocol_known && parts) {
    if (parts->port == 4317) o.protocol = OtlpProtocol::kGrpc;
  }

  if (o.protocol == OtlpProtocol::kGrpc) {
    o.endpoint = effective.empty() ? "http://localhost:4317" : effective;
    bool insecure = false;
    if (auto v = Signal(env, "INSECURE")) {
      if (auto b = ParseBool(*v)) {
        insecure = *b;
      } else {
        warnings.push_back("OTEL_EXPORTER_OTLP_INSECURE: '" + *v + "' is not true/false");
      }
    }
    if (parts && parts->scheme == "https") {
      o.use_tls = true;
    } else if (parts && parts->scheme == "http") {
      o.use_tls = false;
    } else if (!effective.empty()) {
      o.use_tls = !insecure;
    }
  } else {
    o.endpoint = effective.empty() ? "http://localhost:4318/v1/traces"
                                   : HttpTracesUrl(traces_endpoint.value_or(""), base_endpoint);
    if (parts && parts->scheme.empty() && o.endpoint_error.empty()) {
      o.endpoint_error = "OTLP/HTTP endpoint '" + effective + "' needs an http:// or https:// scheme";
    }
  }

  o.certificate_file = Signal(env, "CERTIFICATE").value_or("");
  o.client_key_file = Signal(env, "CLIENT_KEY").value_or("");
  o.client_certificate_file = Signal(env, "CLIENT_CERTIFICATE").value_or("");
  if (auto h = env.Get("OTEL_EXPORTER_OTLP_TRACES_HEADERS")) {
    o.headers = ParseOtlpHeaders(*h, warnings);
  } else if (auto g = env.Get("OTEL_EXPORTER_OTLP_HEADERS")) {
    o.headers = ParseOtlpHeaders(*g, warnings);
  }
  if (auto t = Signal(env, "TIMEOUT")) {
    std::string_view s = Trim(*t);
    int64_t ms = -1;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (ec != std::errc() || p != s.data() + s.size() || ms < 0) {
      warnings.push_back("OTEL_EXPORTER_OTLP_TIMEOUT: '" + *t + "' is not a number of milliseconds");
    } else {
      o.timeout = ms == 0 ? std::chrono::hours(24) : std::chrono::milliseconds(ms);
    }
  }
  if (auto c = Signal(env, "COMPRESSION")) {
    std::string l = Lower(std::string(Trim(*c)));
    if (l == "gzip") {
      o.gzip = true;
    } else if (l != "none") {
      warnings.push_back("OTEL_EXPORTER_OTLP_COMPRESSION: unknown value '" + *c + "'");
    }
  }
  return o;
}

}  // namespace aura::telemetry::otlp
