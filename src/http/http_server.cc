#include "http/http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/log/log.h"
#include "common/thread_name.h"
#include "http/request_id.h"

namespace aura::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace internal {

// One I/O thread's world: its io_context and the connections living on it.
// Shared by the server and its connections so the io_context outlives every
// socket bound to it, whoever drops the last reference.
struct Worker {
  asio::io_context ctx{1};
  // Only touched on ctx's thread.
  std::unordered_set<Connection*> connections;
  // Guards posting from foreign threads against a stopped server.
  std::shared_mutex post_mu;
  bool accepting_posts = true;  // guarded by post_mu

  // Posts `fn` unless the server has stopped. Thread-safe.
  template <typename Fn>
  void SafePost(Fn&& fn) {
    std::shared_lock lock(post_mu);
    if (accepting_posts) asio::post(ctx, std::forward<Fn>(fn));
  }
};

}  // namespace internal

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions o, HttpHandler h) : options(std::move(o)), handler(std::move(h)) {}

  common::Status Start();
  void Stop(std::chrono::milliseconds grace);
  void Accept();
  void ConnectionClosed() {
    std::lock_guard lock(drain_mu);
    --open;
    drain_cv.notify_all();
  }

  HttpServerOptions options;
  HttpHandler handler;
  std::vector<std::shared_ptr<internal::Worker>> workers;
  std::vector<std::thread> threads;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;  // on workers[0]
  size_t next_worker = 0;  // acceptor thread only
  std::atomic<int> bound_port{0};
  std::atomic<bool> stopping{false};
  std::mutex lifecycle_mu;
  bool started = false;  // guarded by lifecycle_mu
  bool stopped = false;  // guarded by lifecycle_mu

  std::mutex drain_mu;
  std::condition_variable drain_cv;
  int64_t open = 0;  // guarded by drain_mu

  std::atomic<uint64_t> accepted{0}, rejected{0}, requests{0}, header_too_large{0},
      body_too_large{0}, bad_requests{0}, read_timeouts{0};
  std::atomic<int64_t> open_gauge{0};
};

namespace internal {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& server, std::shared_ptr<Worker> worker, tcp::socket socket)
      : worker_(std::move(worker)),
        server_(server),
        socket_(std::move(socket)),
        timer_(worker_->ctx) {}

  Worker& worker() { return *worker_; }

  // On the worker thread.
  void Start(bool reject_overload) {
    worker_->connections.insert(this);
    registered_ = true;
    error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    socket_.set_option(tcp::no_delay(true), ec);
    if (reject_overload) {
      request_.request_id = GenerateRequestId();
      Reject(503, "Too many connections");
      return;
    }
    WaitForRequest();
  }

  // On the worker thread: the response produced by the handler.
  void Send(HttpResponse response) {
    if (closed_ || state_ != State::kHandling) return;
    bool keep = request_.keep_alive && !server_.stopping.load();
    Write(std::move(response), keep);
  }

  // Server stop: close connections that are not answering a request.
  void CloseIfIdle() {
    if (state_ == State::kIdle || state_ == State::kReading) Close();
  }
  void Close() {
    if (closed_) return;
    closed_ = true;
    Disarm();
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    if (registered_) {
      worker_->connections.erase(this);
      registered_ = false;
      server_.open_gauge.fetch_sub(1);
      server_.ConnectionClosed();
    }
  }

  ~Connection() {
    // Normally closed already; a connection dropped by a stopped server is
    // closed here on whatever thread releases it last.
    error_code ec;
    socket_.close(ec);
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };

  void Arm(std::chrono::milliseconds d, bool is_read) {
    uint64_t gen = ++timer_gen_;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this(), gen, is_read](const error_code& ec) {
      if (ec || gen != self->timer_gen_ || self->closed_) return;
      if (is_read) self->server_.read_timeouts.fetch_add(1);
      self->Close();
    });
  }
  void Disarm() {
    ++timer_gen_;
    timer_.cancel();
  }

  void WaitForRequest() {
    if (closed_) return;
    if (server_.stopping.load()) {
      Close();
      return;
    }
    state_ = State::kIdle;
    request_ = HttpRequest();
    if (buffer_.size() > 0) {  // pipelined bytes already here
      ReadHeader();
      return;
    }
    buffer_.shrink_to_fit();  // idle connections keep no buffer
    Arm(server_.options.idle_timeout, false);
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
      if (self->closed_) return;
      if (ec) {
        self->Close();
        return;
      }
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    state_ = State::kReading;
    started_ = std::chrono::steady_clock::now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    Arm(server_.options.read_timeout, true);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             [self = shared_from_this()](const error_code& ec, size_t) {
                               self->OnHeader(ec);
                             });
  }

  static bool IsParseError(const error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
  }

  void OnHeader(const error_code& ec) {
    if (closed_) return;
    if (ec == bhttp::error::header_limit) {
      server_.header_too_large.fetch_add(1);
      request_.request_id = GenerateRequestId();
      Reject(431, "Request header fields too large");
      return;
    }
    if (ec == bhttp::error::body_limit) {  // Content-Length already over the limit
      server_.body_too_large.fetch_add(1);
      FillHead(parser_->get());
      Reject(413, "Request body too large");
      return;
    }
    if (ec) {
      if (IsParseError(ec) && ec != bhttp::error::end_of_stream &&
          ec != bhttp::error::partial_message) {
        server_.bad_requests.fetch_add(1);
        request_.request_id = GenerateRequestId();
        Reject(400, "Bad Request");
      } else {
        Close();
      }
      return;
    }
    auto& msg = parser_->get();
    FillHead(msg);
    auto length = parser_->content_length();
    if (length && *length > server_.options.max_body_bytes) {
      server_.body_too_large.fetch_add(1);
      Reject(413, "Request body too large");
      return;
    }
    if (parser_->is_done()) {
      OnRequest();
      return;
    }
    auto expect = msg[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](const error_code& wec, size_t) {
                          if (self->closed_) return;
                          if (wec) {
                            self->Close();
                            return;
                          }
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](const error_code& ec, size_t) {
                        self->OnBody(ec);
                      });
  }

  void OnBody(const error_code& ec) {
    if (closed_) return;
    if (ec == bhttp::error::body_limit) {
      server_.body_too_large.fetch_add(1);
      Reject(413, "Request body too large");
      return;
    }
    if (ec) {
      if (IsParseError(ec) && ec != bhttp::error::end_of_stream &&
          ec != bhttp::error::partial_message) {
        server_.bad_requests.fetch_add(1);
        Reject(400, "Bad Request");
      } else {
        Close();
      }
      return;
    }
    OnRequest();
  }

  void FillHead(const bhttp::request<bhttp::string_body>& msg) {
    request_.method = std::string(msg.method_string());
    request_.target = std::string(msg.target());
    size_t q = request_.target.find('?');
    request_.path = request_.target.substr(0, q);
    request_.query = q == std::string::npos ? std::string() : request_.target.substr(q + 1);
    request_.headers.clear();
    for (const auto& f : msg) {
      request_.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    request_.remote_address = remote_;
    request_.keep_alive = msg.keep_alive();
    request_.request_id = ResolveRequestId(request_.Header("x-request-id"));
  }

  void OnRequest() {
    Disarm();
    server_.requests.fetch_add(1);
    auto msg = parser_->release();
    parser_.reset();
    request_.body = std::move(msg.body());
    state_ = State::kHandling;
    common::ScopedRequestId rid(request_.request_id);
    try {
      server_.handler(request_, HttpResponder(shared_from_this()));
    } catch (const std::exception& e) {
      AURA_LOG_ERROR("http.handler_exception").With("error", e.what());
      Send(HttpResponse::Error(500, "Internal Server Error"));
    } catch (...) {
      AURA_LOG_ERROR("http.handler_exception").With("error", "unknown");
      Send(HttpResponse::Error(500, "Internal Server Error"));
    }
  }

  // Answers a request the server refuses, then closes the connection after
  // draining what the client is still sending (so it sees the answer rather
  // than a reset).
  void Reject(int status, std::string_view detail) {
    state_ = State::kHandling;
    Write(HttpResponse::Error(status, detail), false);
  }

  void Write(HttpResponse response, bool keep_alive) {
    state_ = State::kWriting;
    if (server_.options.before_send) {
      try {
        server_.options.before_send(request_, response);
      } catch (...) {
        // A decorating hook must not take the connection down.
      }
    }
    status_ = response.status;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    std::string_view reason = ReasonPhrase(response.status);
    res->reason(beast::string_view(reason.data(), reason.size()));
    bool has_id = false;
    for (auto& [name, value] : response.headers) {
      if (HeaderNameEquals(name, "x-request-id")) has_id = true;
      if (HeaderNameEquals(name, "content-length") || HeaderNameEquals(name, "connection")) {
        continue;
      }
      res->insert(name, value);
    }
    if (!has_id) {
      if (request_.request_id.empty()) request_.request_id = GenerateRequestId();
      res->insert("X-Request-ID", request_.request_id);
    }
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    Arm(server_.options.write_timeout, false);
    bhttp::async_write(socket_, *res,
                       [self = shared_from_this(), res, keep_alive](const error_code& ec, size_t) {
                         self->OnWritten(ec, keep_alive);
                       });
  }

  void OnWritten(const error_code& ec, bool keep_alive) {
    if (closed_) return;
    Disarm();
    if (server_.options.on_response) {
      common::ScopedRequestId rid(request_.request_id);
      try {
        server_.options.on_response(request_, status_,
                                    std::chrono::steady_clock::now() - started_);
      } catch (...) {
        // An access-log hook must not take the connection down.
      }
    }
    if (ec) {
      Close();
      return;
    }
    if (!keep_alive) {
      LingerClose();
      return;
    }
    WaitForRequest();
  }

  void LingerClose() {
    state_ = State::kClosing;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    Arm(std::chrono::milliseconds(1000), false);
    Drain();
  }

  void Drain() {
    if (drain_.empty()) drain_.resize(4096);
    socket_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](
                                                      const error_code& ec, size_t) {
      if (self->closed_) return;
      if (ec) {
        self->Close();
        return;
      }
      self->Drain();
    });
  }

  std::shared_ptr<Worker> worker_;  // first: destroyed last
  HttpServer::Impl& server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  uint64_t timer_gen_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpRequest request_;
  std::string remote_;
  std::vector<char> drain_;
  State state_ = State::kIdle;
  int status_ = 0;
  bool closed_ = false;
  bool registered_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace internal

// ---------------------------------------------------------------------------

HttpResponder::HttpResponder(std::shared_ptr<internal::Connection> connection)
    : connection_(std::move(connection)) {}

HttpResponder& HttpResponder::operator=(HttpResponder&& other) noexcept {
  if (this != &other) {
    if (connection_) std::move(*this).Send(HttpResponse::Error(500, "Internal Server Error"));
    connection_ = std::move(other.connection_);
  }
  return *this;
}

HttpResponder::~HttpResponder() {
  if (connection_) std::move(*this).Send(HttpResponse::Error(500, "Internal Server Error"));
}

void HttpResponder::Send(HttpResponse response) && noexcept {
  auto conn = std::move(connection_);
  if (!conn) return;
  try {
    internal::Worker& w = conn->worker();
    if (w.ctx.get_executor().running_in_this_thread()) {
      conn->Send(std::move(response));
      return;
    }
    w.SafePost([conn, r = std::move(response)]() mutable { conn->Send(std::move(r)); });
  } catch (...) {
    // Allocation failure while posting: the connection times out instead.
  }
}

void HttpResponder::Post(std::function<void()> fn) const {
  if (!connection_) return;
  connection_->worker().SafePost(std::move(fn));
}

// ---------------------------------------------------------------------------

common::Status HttpServer::Impl::Start() {
  int n = options.io_threads > 0 ? options.io_threads
                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) workers.push_back(std::make_shared<internal::Worker>());

  error_code ec;
  auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec) {
    return common::InvalidArgumentError("bind address '" + options.bind_address +
                                        "' is not an IP address");
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  acceptor.emplace(workers[0]->ctx);
  accept_retry.emplace(workers[0]->ctx);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(options.listen_backlog, ec);
  if (ec) {
    acceptor.reset();
    return common::UnavailableError("cannot listen on " + options.bind_address + ":" +
                                    std::to_string(options.port) + ": " + ec.message());
  }
  bound_port = acceptor->local_endpoint().port();
  Accept();
  for (auto& w : workers) {
    threads.emplace_back([w] {
      common::SetCurrentThreadName("http-io");
      auto guard = asio::make_work_guard(w->ctx);
      for (;;) {
        try {
          w->ctx.run();
          break;
        } catch (const std::exception& e) {
          AURA_LOG_ERROR("http.io_thread_exception").With("error", e.what());
        }
      }
    });
  }
  return common::OkStatus();
}

void HttpServer::Impl::Accept() {
  if (stopping.load() || !acceptor) return;
  std::shared_ptr<internal::Worker> w = workers[next_worker++ % workers.size()];
  acceptor->async_accept(w->ctx, [this, w](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping.load()) return;
    if (ec) {
      // Out of descriptors or similar: retry shortly instead of spinning; the
      // error is transient from the server's point of view.
      AURA_LOG_WARNING("http.accept_failed").With("error", ec.message());
      accept_retry->expires_after(std::chrono::milliseconds(50));
      accept_retry->async_wait([this](const error_code& wec) {
        if (!wec) Accept();
      });
      return;
    } else {
      bool overload = open_gauge.load() >= options.max_connections;
      accepted.fetch_add(1);
      if (overload) rejected.fetch_add(1);
      open_gauge.fetch_add(1);
      {
        std::lock_guard lock(drain_mu);
        ++open;
      }
      auto conn = std::make_shared<internal::Connection>(*this, w, std::move(socket));
      asio::post(w->ctx, [conn, overload] { conn->Start(overload); });
    }
    Accept();
  });
}

void HttpServer::Impl::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(lifecycle_mu);
    if (!started || stopped) return;
    stopped = true;
  }
  stopping = true;
  asio::post(workers[0]->ctx, [this] {
    error_code ec;
    if (acceptor) acceptor->close(ec);
    if (accept_retry) accept_retry->cancel();
  });
  for (auto& w : workers) {
    asio::post(w->ctx, [w] {
      std::vector<internal::Connection*> conns(w->connections.begin(), w->connections.end());
      for (auto* c : conns) c->CloseIfIdle();
    });
  }
  {
    std::unique_lock lock(drain_mu);
    drain_cv.wait_for(lock, grace, [this] { return open <= 0; });
  }
  for (auto& w : workers) {
    asio::post(w->ctx, [w] {
      std::vector<internal::Connection*> conns(w->connections.begin(), w->connections.end());
      for (auto* c : conns) c->Close();
    });
  }
  // Let the posted closes run, then refuse further posts and stop the loops.
  {
    std::unique_lock lock(drain_mu);
    drain_cv.wait_for(lock, std::chrono::seconds(2), [this] { return open <= 0; });
  }
  for (auto& w : workers) {
    std::unique_lock lock(w->post_mu);
    w->accepting_posts = false;
  }
  for (auto& w : workers) w->ctx.stop();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
  // Run what is left (aborted operations of closed sockets) so no queued
  // handler keeps a connection, and through it its worker, alive.
  for (auto& w : workers) {
    w->ctx.restart();
    try {
      w->ctx.poll();
    } catch (...) {
    }
  }
  if (acceptor) {
    error_code ec;
    acceptor->close(ec);
    acceptor.reset();
  }
  accept_retry.reset();
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(1000)); }

common::Status HttpServer::Start() {
  std::lock_guard lock(impl_->lifecycle_mu);
  if (impl_->started) return common::OkStatus();
  if (impl_->stopped) return common::FailedPreconditionError("server already stopped");
  AURA_RETURN_IF_ERROR(impl_->Start());
  impl_->started = true;
  return common::OkStatus();
}

int HttpServer::port() const noexcept { return impl_->bound_port.load(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

HttpServerStats HttpServer::stats() const noexcept {
  HttpServerStats s;
  s.connections_accepted = impl_->accepted.load();
  s.connections_rejected = impl_->rejected.load();
  s.connections_open = impl_->open_gauge.load();
  s.requests = impl_->requests.load();
  s.header_too_large = impl_->header_too_large.load();
  s.body_too_large = impl_->body_too_large.load();
  s.bad_requests = impl_->bad_requests.load();
  s.read_timeouts = impl_->read_timeouts.load();
  return s;
}

}  // namespace aura::http
