// File: common/config/config.h
//
// Config: every setting of the hive, parsed and validated in one place from an
// Environment (DESIGN section 7). Names use the `AURA_` prefix with `__`
// nesting; the short aliases existing deployments use are accepted too, the
// AURA_ name winning when both are set.
//
//   Config config = LoadConfig(Environment::FromProcess());   // throws ConfigError
//
// An invalid value throws ConfigError whose message names the variable, e.g.
// "AURA_SERVER__PORT (GRPC_PORT): 'abc' is not a port number (1-65535)".
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/config/environment.h"

namespace aura::common {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

struct DatabaseConfig {
  // `postgresql://…` or `sqlite:///absolute/path.db`; empty = SQLite file in data_dir.
  std::string url;
  // `redis://host:port/db`; empty = in-process caches and limits.
  std::string redis_url;
  // Connections in the PostgreSQL pool.
  int pool_size = 8;
};

struct LlmConfig {
  // `rule` selects the rule strategy; otherwise `mistral/…`, `openai/…` or `ollama/…`.
  std::string model = "rule";
  std::string api_key;         // Mistral (or the base_url's) key
  std::string openai_api_key;  // for openai/… models
  std::string base_url;        // overrides the provider's default URL
  double temperature = 0.2;
  std::chrono::milliseconds timeout{10000};
  // Reject with AI_ERROR instead of falling back to rules when the LLM fails.
  bool reject_on_failure = false;
};

struct CoreConfig {
  int grpc_port = 50051;
  int metrics_port = 9091;
  // Bids above this need a human (`ui_required`).
  double trigger_price = 1000.0;
  // How long a negotiation session stays valid.
  std::chrono::seconds session_ttl{600};
  std::string prometheus_url;
  // Inventory embeddings model for search (`local` = embedded word vectors).
  std::string embedding_model = "local";
  // The converted word-vectors file for `local`; empty = the usual places
  // (<data_dir>/word-vectors, ./third_party/word-vectors, the source tree's).
  std::string word_vectors_path;
};

struct GatewayConfig {
  int http_port = 8000;
  std::string bind_address = "0.0.0.0";
  // `host:port` of aura-core.
  std::string core_address = "localhost:50051";
  std::chrono::milliseconds core_timeout{5000};
  std::vector<std::string> cors_origins;
  int rate_limit_per_minute = 100;
  size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds read_timeout{10000};
  // Number of I/O threads; 0 = one per core.
  int io_threads = 0;
};

struct TelemetryConfig {
  // Empty is refused at start-up by the telemetry layer.
  std::string service_name;
  std::string otlp_endpoint;
  // <0 = not set (the OTEL_TRACES_SAMPLER variables decide).
  double sample_ratio = -1.0;
};

struct Config {
  DatabaseConfig database;
  LlmConfig llm;
  CoreConfig core;
  GatewayConfig gateway;
  TelemetryConfig telemetry;
  LogLevel log_level = LogLevel::kInfo;
  // Where the embedded defaults keep their files (SQLite, keys, word vectors).
  std::string data_dir = "./aura-data";
  // The environment the config was read from, for the OTEL_* variables the
  // telemetry layer parses itself.
  Environment env;
};

// Parses and validates. `service_default` names the process for telemetry
// ("aura-core", "aura-gateway") when no service name is configured.
Config LoadConfig(const Environment& env, const std::string& service_default = "aura");

// The SQLite file used when database.url is empty: `<data_dir>/aura.db`.
std::string DefaultSqliteUrl(const Config& config);

std::string_view LogLevelName(LogLevel level) noexcept;

}  // namespace aura::common
