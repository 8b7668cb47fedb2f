// File: gateway/error_mapping.h
//
// The gateway's one mapping from failures to HTTP answers (STYLE §4): gRPC
// codes from the core, Status values from the gateway's own checks, and
// request-schema errors, each to a status code and a {"detail": ...} body.
//
//   core.Negotiate(req, meta, [](const grpc::Status& s, auto&& resp) {
//     if (!s.ok()) return Send(CoreErrorResponse(s));
//   });
//   return ValidationErrorResponse({{.loc = {"body", "bid_amount"}, .msg = "Field required",
//                                    .type = "missing"}});
//
//   core gRPC code      -> HTTP
//   INVALID_ARGUMENT    -> 422 {"detail": "<core message>"}
//   UNAVAILABLE         -> 503 "Core service unavailable" (also CANCELLED at shutdown)
//   DEADLINE_EXCEEDED   -> 504 "Core service timeout"
//   UNIMPLEMENTED       -> 501 "<core message>" ("Not implemented" when empty)
//   anything else       -> 500 "Core service error"
//
//   gateway Status      -> HTTP
//   UNAUTHENTICATED     -> 401 "<which check failed>"
//   INVALID_ARGUMENT    -> 400 "<message>" (malformed JSON and the like)
//   RESOURCE_EXHAUSTED  -> 429, UNAVAILABLE -> 503, others -> 500
//
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <vector>

#include <grpcpp/support/status.h>

#include "common/status.h"
#include "http/http_message.h"

namespace aura::gateway {

// One schema error in FastAPI's shape: {"loc": [...], "msg": ..., "type": ...}.
struct FieldError {
  std::vector<std::string> loc;
  std::string msg;
  std::string type;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

struct HttpError {
  int status = 500;
  std::string detail;
};

// The HTTP status and detail for a failed core call.
HttpError MapCoreError(const grpc::Status& status);
// 4xx/5xx with {"detail": "..."} for a failed core call.
http::HttpResponse CoreErrorResponse(const grpc::Status& status);
// The HTTP status and detail for a gateway-side Status (see the table above).
HttpError MapGatewayStatus(const common::Status& status);
http::HttpResponse GatewayErrorResponse(const common::Status& status);
// 422 {"detail": [{"loc": [...], "msg": ..., "type": ...}, ...]}.
http::HttpResponse ValidationErrorResponse(const std::vector<FieldError>& errors);

}  // namespace aura::gateway
