// File: http/http_server.h
//
// HttpServer: a small HTTP/1.1 server on Boost.Beast/Asio for the gateway's API
// and the core's /metrics. Keep-alive, N I/O threads, no thread per connection,
// strict input limits, and handlers that may answer later from any thread.
//
//   HttpServer server({.bind_address = "127.0.0.1", .port = 0},
//                     [](HttpRequest& req, HttpResponder responder) {
//                       std::move(responder).Send(HttpResponse::Json(200, "{}"));
//                     });
//   AURA_RETURN_IF_ERROR(server.Start());     // UNAVAILABLE when the port is taken
//   int port = server.port();
//   ...
//   server.Stop(std::chrono::seconds(5));     // graceful
//
// Threading model: one io_context per I/O thread (not one shared context with
// strands). The acceptor hands each new socket to the next context round robin,
// and the connection then lives on that single thread for its whole life, so a
// connection's state needs no locking and no strand. A handler is called on
// the connection's thread; it may answer at once or keep the HttpResponder and
// call Send() later from any thread (a gRPC callback thread, say): Send() posts
// the write back to the connection's thread. I/O threads never wait.
//
// Limits (answered with {"detail": ...} and the connection closed):
//   - request line + header block over max_header_bytes        -> 431
//   - Content-Length over max_body_bytes (checked before the
//     body is read), or a chunked body growing past it         -> 413
//   - unparsable request                                       -> 400
//   - a request not complete within read_timeout after its first byte: closed
//     without an answer; an idle keep-alive connection is closed after
//     idle_timeout. Idle connections hold no read buffer (they wait for
//     readability with a zero-byte wait), so thousands of them cost little.
//   - over max_connections open connections: new ones get 503 and are closed.
//
// Every response carries X-Request-ID (HttpRequest::request_id: the client's
// when IsSaneRequestId, else generated) and Content-Length.
//
// Thread-safety: Start/Stop/port/stats are thread-safe; Start and Stop are
// idempotent and Stop is called by the destructor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/http_message.h"

namespace aura::http {

namespace internal {
class Connection;
}  // namespace internal

// The one-shot way to answer a request. Move-only. Send() may be called from
// any thread; the write happens on the connection's I/O thread. If a responder
// is destroyed without Send(), the client gets 500 {"detail": "Internal Server
// Error"} so no request is left hanging.
class HttpResponder {
 public:
  HttpResponder() = default;
  explicit HttpResponder(std::shared_ptr<internal::Connection> connection);
  HttpResponder(HttpResponder&&) noexcept = default;
  HttpResponder& operator=(HttpResponder&& other) noexcept;
  HttpResponder(const HttpResponder&) = delete;
  HttpResponder& operator=(const HttpResponder&) = delete;
  ~HttpResponder();

  // Sends `response`. Thread-safe; noexcept: a connection that has gone away
  // just drops the response.
  void Send(HttpResponse response) && noexcept;
  // Runs `fn` on the connection's I/O thread (for work that must not run on a
  // foreign callback thread). Dropped when the server has stopped.
  void Post(std::function<void()> fn) const;
  bool valid() const noexcept { return connection_ != nullptr; }

 private:
  std::shared_ptr<internal::Connection> connection_;
};

// Handles one request. `request` stays valid until the responder is used (Send
// or destruction), so an asynchronous handler may keep a reference to it.
using HttpHandler = std::function<void(HttpRequest& request, HttpResponder responder)>;

struct HttpServerOptions {
  std::string bind_address = "0.0.0.0";
  int port = 8000;  // 0 = any free port; see HttpServer::port()
  // I/O threads; 0 = one per core.
  int io_threads = 0;
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{60000};
  // Time allowed for writing one response before the connection is dropped.
  std::chrono::milliseconds write_timeout{10000};
  int max_connections = 10000;
  int listen_backlog = 1024;
  // Called on the I/O thread just before a response (also a server-made one,
  // such as 431) is written: for headers every response carries (CORS).
  std::function<void(const HttpRequest& request, HttpResponse& response)> before_send;
  // Called after each response is written (or a request rejected by the server
  // limits), on the I/O thread: for access logs and metrics. `request` may be
  // only partly filled for rejected requests (method/path empty).
  std::function<void(const HttpRequest& request, int status, std::chrono::nanoseconds duration)>
      on_response;
};

// Counters kept by the server; read with HttpServer::stats().
struct HttpServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_rejected = 0;  // over max_connections
  int64_t connections_open = 0;
  uint64_t requests = 0;
  uint64_t header_too_large = 0;  // 431
  uint64_t body_too_large = 0;    // 413
  uint64_t bad_requests = 0;      // 400 from the parser
  uint64_t read_timeouts = 0;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. INVALID_ARGUMENT for a bad
  // address; UNAVAILABLE when the address cannot be bound (port in use).
  common::Status Start();
  // The bound port (useful with port 0); 0 before Start.
  int port() const noexcept;
  // Stops accepting, closes idle connections, lets requests in flight finish
  // (their responses carry Connection: close) for up to `grace`, then closes
  // everything and joins the threads.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  HttpServerStats stats() const noexcept;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace aura::http
