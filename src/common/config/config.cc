#include "common/config/config.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <initializer_list>

namespace aura::common {
namespace {

// Reads the first set name of `names`; describes it as "NAME (ALIAS)" in errors.
class Reader {
 public:
  explicit Reader(const Environment& env) : env_(env) {}

  std::optional<std::pair<std::string, std::string>> Get(std::initializer_list<std::string_view> names) const {
    return env_.GetFirst(names);
  }

  void String(std::initializer_list<std::string_view> names, std::string& out) const {
    if (auto v = Get(names)) out = v->second;
  }

  void Int(std::initializer_list<std::string_view> names, int& out, long lo, long hi,
           std::string_view what) const {
    auto v = Get(names);
    if (!v) return;
    long parsed = 0;
    const std::string& s = v->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec != std::errc() || p != s.data() + s.size() || parsed < lo || parsed > hi) {
      throw ConfigError(v->first + ": '" + s + "' is not " + std::string(what) + " (" +
                        std::to_string(lo) + "-" + std::to_string(hi) + ")");
    }
    out = static_cast<int>(parsed);
  }

  void Double(std::initializer_list<std::string_view> names, double& out, double lo, double hi) const {
    auto v = Get(names);
    if (!v) return;
    const std::string& s = v->second;
    double parsed = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(parsed) || parsed < lo ||
        parsed > hi) {
      throw ConfigError(v->first + ": '" + s + "' is not a number between " + Fmt(lo) + " and " +
                        Fmt(hi));
    }
    out = parsed;
  }

  void Bool(std::initializer_list<std::string_view> names, bool& out) const {
    auto v = Get(names);
    if (!v) return;
    std::string s = v->second;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "1" || s == "true" || s == "yes" || s == "on") {
      out = true;
    } else if (s == "0" || s == "false" || s == "no" || s == "off") {
      out = false;
    } else {
      throw ConfigError(v->first + ": '" + v->second + "' is not a boolean (true/false)");
    }
  }

 private:
  static std::string Fmt(double d) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, p);
  }
  const Environment& env_;
};

void ValidateDatabaseUrl(const std::string& name, const std::string& url) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    if (url.find_first_of(" \t\n") != std::string::npos) {
      throw ConfigError(name + ": '" + url + "' contains white space");
    }
    return;
  }
  if (url.starts_with("sqlite:///")) {
    if (url.size() == std::string("sqlite:///").size()) {
      throw ConfigError(name + ": '" + url + "' names no file (use sqlite:///absolute/path.db)");
    }
    return;
  }
  throw ConfigError(name + ": '" + url +
                    "' is not a database URL (use postgresql://user:pass@host:port/db or "
                    "sqlite:///absolute/path.db)");
}

void ValidateRedisUrl(const std::string& name, const std::string& url) {
  if (!url.starts_with("redis://") || url.size() <= std::string("redis://").size()) {
    throw ConfigError(name + ": '" + url + "' is not a Redis URL (use redis://host:port/db)");
  }
}

void ValidateLlmModel(const std::string& name, const std::string& model) {
  if (model == "rule" || model == "rules") return;
  for (std::string_view prefix : {"mistral/", "openai/", "ollama/"}) {
    if (model.starts_with(prefix) && model.size() > prefix.size()) return;
  }
  throw ConfigError(name + ": '" + model +
                    "' has an unknown provider prefix (use rule, mistral/<model>, openai/<model> "
                    "or ollama/<model>)");
}

std::string NormaliseCoreAddress(const std::string& name, std::string v) {
  if (v.starts_with("http://")) v = v.substr(7);
  if (v.empty() || v.find_first_of(" /\t") != std::string::npos) {
    throw ConfigError(name + ": '" + v + "' is not host or host:port");
  }
  // Bracketed IPv6 or host:port keep their port; a bare host gets 50051.
  size_t colon = v.rfind(':');
  bool has_port = colon != std::string::npos && (v.front() != '[' || v[colon - 1] == ']');
  if (!has_port) v += ":50051";
  return v;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

Config LoadConfig(const Environment& env, const std::string& service_default) {
  Config c;
  c.env = env;
  Reader r(env);

  r.String({"AURA_DATA_DIR"}, c.data_dir);

  if (auto v = r.Get({"AURA_DATABASE__URL", "DATABASE_URL"})) {
    ValidateDatabaseUrl(v->first, v->second);
    c.database.url = v->second;
  }
  if (auto v = r.Get({"AURA_DATABASE__REDIS_URL", "REDIS_URL"})) {
    ValidateRedisUrl(v->first, v->second);
    c.database.redis_url = v->second;
  }
  r.Int({"AURA_DATABASE__POOL_SIZE"}, c.database.pool_size, 1, 256, "a pool size");

  if (auto v = r.Get({"AURA_LLM__MODEL", "LLM_MODEL"})) {
    ValidateLlmModel(v->first, v->second);
    c.llm.model = v->second == "rules" ? "rule" : v->second;
  }
  r.String({"AURA_LLM__API_KEY", "MISTRAL_API_KEY"}, c.llm.api_key);
  r.String({"AURA_LLM__OPENAI_API_KEY", "OPENAI_API_KEY"}, c.llm.openai_api_key);
  r.String({"AURA_LLM__BASE_URL"}, c.llm.base_url);
  r.Double({"AURA_LLM__TEMPERATURE"}, c.llm.temperature, 0.0, 2.0);
  int llm_timeout_ms = static_cast<int>(c.llm.timeout.count());
  r.Int({"AURA_LLM__TIMEOUT_MS"}, llm_timeout_ms, 1, 600000, "a timeout in milliseconds");
  c.llm.timeout = std::chrono::milliseconds(llm_timeout_ms);
  r.Bool({"AURA_LLM__REJECT_ON_FAILURE"}, c.llm.reject_on_failure);

  r.Int({"AURA_SERVER__PORT", "GRPC_PORT"}, c.core.grpc_port, 1, 65535, "a port number");
  r.Int({"AURA_SERVER__METRICS_PORT"}, c.core.metrics_port, 1, 65535, "a port number");
  r.Double({"AURA_PRICING__TRIGGER_PRICE"}, c.core.trigger_price, 0.01, 1e12);
  int ttl = static_cast<int>(c.core.session_ttl.count());
  r.Int({"AURA_PRICING__SESSION_TTL_SECONDS"}, ttl, 1, 86400 * 30, "a duration in seconds");
  c.core.session_ttl = std::chrono::seconds(ttl);
  if (auto v = r.Get({"AURA_SERVER__PROMETHEUS_URL", "PROMETHEUS_URL"})) {
    if (!v->second.starts_with("http://") && !v->second.starts_with("https://")) {
      throw ConfigError(v->first + ": '" + v->second + "' is not an http(s) URL");
    }
    c.core.prometheus_url = v->second;
  }
  r.String({"AURA_SEARCH__EMBEDDING_MODEL"}, c.core.embedding_model);
  r.String({"AURA_SEARCH__VECTORS_PATH"}, c.core.word_vectors_path);

  r.Int({"AURA_GATEWAY__PORT", "HTTP_PORT"}, c.gateway.http_port, 1, 65535, "a port number");
  r.String({"AURA_GATEWAY__BIND_ADDRESS"}, c.gateway.bind_address);
  if (auto v = r.Get({"AURA_GATEWAY__CORE_ADDRESS", "CORE_SERVICE_HOST"})) {
    c.gateway.core_address = NormaliseCoreAddress(v->first, v->second);
  }
  int core_timeout_ms = static_cast<int>(c.gateway.core_timeout.count());
  r.Int({"AURA_GATEWAY__CORE_TIMEOUT_MS"}, core_timeout_ms, 1, 600000, "a timeout in milliseconds");
  c.gateway.core_timeout = std::chrono::milliseconds(core_timeout_ms);
  if (auto v = r.Get({"AURA_GATEWAY__CORS_ORIGINS", "CORS_ORIGINS"})) {
    std::string_view s = v->second;
    while (!s.empty()) {
      size_t comma = s.find(',');
      std::string_view o = s.substr(0, comma);
      while (!o.empty() && o.front() == ' ') o.remove_prefix(1);
      while (!o.empty() && o.back() == ' ') o.remove_suffix(1);
      if (!o.empty()) c.gateway.cors_origins.emplace_back(o);
      s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
  }
  r.Int({"AURA_GATEWAY__RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_PER_MINUTE"},
        c.gateway.rate_limit_per_minute, 1, 10'000'000, "a request count");
  int body = static_cast<int>(c.gateway.max_body_bytes);
  r.Int({"AURA_GATEWAY__MAX_BODY_BYTES"}, body, 1, 64 * 1024 * 1024, "a size in bytes");
  c.gateway.max_body_bytes = static_cast<size_t>(body);
  int read_ms = static_cast<int>(c.gateway.read_timeout.count());
  r.Int({"AURA_GATEWAY__READ_TIMEOUT_MS"}, read_ms, 1, 3'600'000, "a timeout in milliseconds");
  c.gateway.read_timeout = std::chrono::milliseconds(read_ms);
  r.Int({"AURA_GATEWAY__IO_THREADS"}, c.gateway.io_threads, 0, 256, "a thread count");

  c.telemetry.service_name = service_default;
  if (auto v = r.Get({"AURA_SERVER__OTEL_SERVICE_NAME", "OTEL_SERVICE_NAME"})) {
    c.telemetry.service_name = v->second;
  } else if (auto raw = env.values().find("AURA_SERVER__OTEL_SERVICE_NAME");
             raw != env.values().end()) {
    c.telemetry.service_name.clear();  // explicitly empty: refused by the telemetry layer
  }
  r.String({"AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"},
           c.telemetry.otlp_endpoint);
  r.Double({"AURA_SERVER__OTEL_SAMPLE_RATIO"}, c.telemetry.sample_ratio, 0.0, 1.0);

  if (auto v = r.Get({"AURA_LOG_LEVEL", "LOG_LEVEL"})) {
    std::string s = v->second;
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (s == "debug") c.log_level = LogLevel::kDebug;
    else if (s == "info") c.log_level = LogLevel::kInfo;
    else if (s == "warning" || s == "warn") c.log_level = LogLevel::kWarning;
    else if (s == "error") c.log_level = LogLevel::kError;
    else throw ConfigError(v->first + ": '" + v->second + "' is not one of debug, info, warning, error");
  }
  return c;
}

std::string DefaultSqliteUrl(const Config& config) {
  std::filesystem::path p = std::filesystem::absolute(config.data_dir) / "aura.db";
  return "sqlite://" + p.lexically_normal().string();
}

}  // namespace aura::common
