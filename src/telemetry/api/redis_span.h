// File: telemetry/api/redis_span.h
//
// Redis CLIENT spans by the database semantic conventions (OTEL_CONFORMANCE
// §7), written once for every Redis user in the project (the gateway's rate
// limiter and replay guard, the core's search result cache):
//
//   name               the command (`SET`), or `PIPELINE` for several at once
//   db.system.name     "redis" (and the deprecated db.system, as the SQL spans do)
//   db.operation.name  the command, upper case (`PIPELINE` for several)
//   db.query.text      the command with every argument masked: `SET ? ? EX ?`;
//                      a pipeline joins its commands with "; "
//   db.namespace       the database index as a string ("0")
//   server.address, server.port (left out when the host is unknown)
//   db.operation.batch.size  for a pipeline of two or more commands
//
// Arguments are never recorded: keys are derived from request signatures and
// values hold cached answers. Only the command name and the option keywords of
// a few commands (EX, PX, NX, MATCH, COUNT, ...) survive masking; every key,
// value and number becomes `?`.
//
//   static const telemetry::Tracer tracer("aura.gateway.redis");
//   telemetry::Span span = telemetry::StartRedisSpan(
//       tracer, {"SET", key, value, "EX", "60"}, {.host = "10.0.0.5", .port = 6379, .db = 0});
//   // or a whole pipeline: StartRedisSpan(tracer, commands /* vector<vector<string>> */, endpoint)
//   ... run the command ...
//   if (failed) span.SetStatus(telemetry::StatusCode::kError, why).SetAttribute("error.type", "UNAVAILABLE");
//
// Thread-safe (pure functions; spans follow span.h).
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/api/span.h"
#include "telemetry/api/tracer.h"

namespace aura::telemetry {

// Where the commands go (server.address, server.port, db.namespace).
struct RedisEndpoint {
  std::string_view host;  // empty = unknown (e.g. an invalid URL)
  int port = 6379;
  int db = 0;
};

// `SET ? ? EX ?` for {"SET", key, value, "EX", "60"}; "" for an empty command.
std::string RedisQueryText(std::span<const std::string_view> command);
std::string RedisQueryText(std::span<const std::string> command);
std::string RedisQueryText(std::initializer_list<std::string_view> command);

// The commands of a pipeline masked and joined with "; ".
std::string RedisQueryText(std::span<const std::vector<std::string>> pipeline);

// Starts (does not make current) the CLIENT span of one round trip carrying
// `pipeline` (one or more commands), with the attributes listed above.
Span StartRedisSpan(const Tracer& tracer, std::span<const std::vector<std::string>> pipeline,
                    const RedisEndpoint& endpoint) noexcept;
// The same for one command given as views (no copy of large values).
Span StartRedisSpan(const Tracer& tracer, std::initializer_list<std::string_view> command,
                    const RedisEndpoint& endpoint) noexcept;

}  // namespace aura::telemetry
