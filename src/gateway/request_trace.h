// File: gateway/request_trace.h
//
// RequestTrace: the HTTP SERVER span of one gateway request and the context
// that continues it on other threads. GatewayServer starts it when a request
// arrives (continuing an incoming traceparent), keeps it in
// HttpRequest::extension, and ends it when the response has been written;
// routes add business attributes to it and attach `context` after async hops.
//
//   if (RequestTrace* t = TraceOf(request)) t->span.SetAttribute("aura.item_id", id);
//   pool.Post([ctx = t->context] { telemetry::Scope scope(ctx); ... });
//
// Thread-compatible: one thread at a time touches a request's span (the I/O
// thread, then the pool or gRPC thread that answers, then the I/O thread again
// after HttpResponder::Send, which orders those accesses).
#pragma once

#include "http/http_message.h"
#include "telemetry/api/context.h"
#include "telemetry/api/span.h"

namespace aura::gateway {

struct RequestTrace {
  telemetry::Span span;        // the SERVER span
  telemetry::Context context;  // incoming baggage + the SERVER span's context
};

// The request's trace, or nullptr when the gateway did not start one.
inline RequestTrace* TraceOf(const http::HttpRequest& request) noexcept {
  return static_cast<RequestTrace*>(request.extension.get());
}

}  // namespace aura::gateway
