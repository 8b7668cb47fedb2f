#include "cli/bench/load_generator.h"

#include <sodium.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/thread_name.h"

namespace aura::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};

// Per-thread tallies: written only by that thread's io_context, merged at the end.
struct ThreadStats {
  LatencyHistogram latency;
  std::map<int, uint64_t> status_counts;
  std::array<uint64_t, kBenchOutcomeCount> outcomes{};
  std::array<uint64_t, kBenchOutcomeCount> aimed{};
  uint64_t ok = 0;
  uint64_t unexpected = 0;
  std::map<std::string, uint64_t> transport_errors;
};

// State shared by every connection.
struct Shared {
  const LoadOptions& options;
  RequestPool& pool;
  tcp::resolver::results_type endpoints;
  Clock::time_point deadline;
  std::atomic<uint64_t> tickets{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> errors{0};

  bool ClaimTicket() {
    if (g_stop.load(std::memory_order_relaxed)) return false;
    if (options.requests > 0) {
      return tickets.fetch_add(1, std::memory_order_relaxed) < options.requests;
    }
    return Clock::now() < deadline;
  }
};

std::optional<BenchOutcome> OutcomeFromName(std::string_view name) {
  for (int i = 0; i < kBenchOutcomeCount; ++i) {
    if (BenchOutcomeName(static_cast<BenchOutcome>(i)) == name) return static_cast<BenchOutcome>(i);
  }
  return std::nullopt;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Shared& shared, ThreadStats& stats)
      : stream_(io), retry_timer_(io), shared_(shared), stats_(stats) {}

  void Start() { Connect(); }

 private:
  void Connect() {
    stream_.expires_after(shared_.options.request_timeout);
    stream_.async_connect(shared_.endpoints,
                          [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                            self->OnConnect(ec);
                          });
  }

  void OnConnect(beast::error_code ec) {
    if (ec) {
      // A connection that cannot be made costs a ticket, so a run against a
      // dead gateway still ends.
      if (!shared_.ClaimTicket()) return;
      CountTransportError("connect", ec);
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Connect(); });
      return;
    }
    stream_.socket().set_option(tcp::no_delay(true));
    SendNext();
  }

  void SendNext() {
    if (!shared_.ClaimTicket()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.close();
      return;
    }
    current_ = shared_.pool.Take();
    start_ = Clock::now();
    stream_.expires_after(shared_.options.request_timeout);
    asio::async_write(stream_, asio::buffer(current_.bytes),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->OnWrite(ec);
                      });
  }

  void OnWrite(beast::error_code ec) {
    if (ec) return Fail("write", ec);
    parser_.emplace();
    parser_->body_limit(1 << 20);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec2, size_t) {
                       self->OnRead(ec2);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return Fail("read", ec);
    auto latency = Clock::now() - start_;
    const auto& res = parser_->get();
    int status = static_cast<int>(res.result_int());
    stats_.latency.Record(latency);
    ++stats_.status_counts[status];
    ++stats_.aimed[static_cast<size_t>(current_.expected)];
    if (status >= 200 && status < 300) {
      ++stats_.ok;
      auto outcome = OutcomeFromName(FindReplyStatus(res.body()));
      if (outcome) ++stats_.outcomes[static_cast<size_t>(*outcome)];
      if (!outcome || *outcome != current_.expected) ++stats_.unexpected;
    } else {
      shared_.errors.fetch_add(1, std::memory_order_relaxed);
    }
    shared_.completed.fetch_add(1, std::memory_order_relaxed);
    bool keep_alive = res.keep_alive();
    parser_.reset();
    if (!keep_alive) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.close();
      buffer_.clear();
      Connect();
      return;
    }
    SendNext();
  }

  void Fail(const char* what, beast::error_code ec) {
    CountTransportError(what, ec);
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    parser_.reset();
    Connect();
  }

  void CountTransportError(const char* what, beast::error_code ec) {
    ++stats_.transport_errors[std::string(what) + ": " + ec.message()];
    shared_.errors.fetch_add(1, std::memory_order_relaxed);
    shared_.completed.fetch_add(1, std::memory_order_relaxed);
  }

  beast::tcp_stream stream_;
  asio::steady_timer retry_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Shared& shared_;
  ThreadStats& stats_;
  PreparedRequest current_;
  Clock::time_point start_;
};

}  // namespace

void RequestLoadStop() noexcept { g_stop.store(true, std::memory_order_relaxed); }

common::Result<HostPort> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return common::InvalidArgumentError("gateway URL '" + std::string(url) +
                                        "' must start with http://");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") {
      return common::InvalidArgumentError("gateway URL '" + std::string(url) +
                                          "' must not have a path");
    }
    rest = rest.substr(0, slash);
  }
  HostPort hp;
  size_t colon = rest.rfind(':');
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return common::InvalidArgumentError("bad IPv6 host in " + std::string(url));
    hp.host = std::string(rest.substr(1, close - 1));
    hp.port = close + 1 < rest.size() && rest[close + 1] == ':' ? std::string(rest.substr(close + 2)) : "80";
  } else if (colon != std::string_view::npos) {
    hp.host = std::string(rest.substr(0, colon));
    hp.port = std::string(rest.substr(colon + 1));
  } else {
    hp.host = std::string(rest);
    hp.port = "80";
  }
  if (hp.host.empty() || hp.port.empty() ||
      hp.port.find_first_not_of("0123456789") != std::string::npos || hp.port.size() > 5 ||
      std::stoi(hp.port) < 1 || std::stoi(hp.port) > 65535) {
    return common::InvalidArgumentError("gateway URL '" + std::string(url) +
                                        "' is not http://host:port");
  }
  return hp;
}

std::string_view FindReplyStatus(std::string_view body) noexcept {
  constexpr std::string_view kKey = "\"status\"";
  size_t at = body.find(kKey);
  if (at == std::string_view::npos) return {};
  size_t i = at + kKey.size();
  while (i < body.size() && (body[i] == ' ' || body[i] == ':' || body[i] == '\t' || body[i] == '\n')) ++i;
  if (i >= body.size() || body[i] != '"') return {};
  size_t end = body.find('"', i + 1);
  if (end == std::string_view::npos) return {};
  return body.substr(i + 1, end - i - 1);
}

common::Result<LoadResult> RunLoad(const LoadOptions& options,
                                   const std::function<void(const LoadProgress&)>& on_progress) {
  if (options.connections < 1) return common::InvalidArgumentError("--connections must be at least 1");
  if (options.threads < 1) return common::InvalidArgumentError("--threads must be at least 1");
  AURA_ASSIGN_OR_RETURN(HostPort hp, ParseHttpUrl(options.gateway_url));
  g_stop.store(false);

  tcp::resolver::results_type endpoints;
  {
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::error_code ec;
    endpoints = resolver.resolve(hp.host, hp.port, ec);
    if (ec) {
      return common::UnavailableError("cannot resolve " + hp.host + ": " + ec.message());
    }
  }

  RequestFactoryOptions factory_options = options.factory;
  factory_options.host_header = hp.host + ":" + hp.port;
  RequestFactory factory(factory_options);
  size_t pool_size = options.pool_size;
  if (pool_size == 0) {
    // Enough for the whole run at ~8k requests/s (the refiller covers more), within
    // 200k requests (about 90 MB).
    uint64_t want = options.requests > 0
                        ? options.requests
                        : std::max<uint64_t>(1000, static_cast<uint64_t>(options.duration.count()) * 8);
    pool_size = static_cast<size_t>(std::min<uint64_t>(want, 200000));
  }
  RequestPool pool(factory, {.target_size = pool_size});
  auto prefill_start = Clock::now();
  pool.Prefill();
  LoadResult result;
  result.prefill_time = Clock::now() - prefill_start;
  result.signed_up_front = pool_size;
  pool.StartRefiller();

  Shared shared{.options = options, .pool = pool, .endpoints = endpoints};
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<ThreadStats> stats(static_cast<size_t>(options.threads));
  for (int t = 0; t < options.threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));

  auto start = Clock::now();
  shared.deadline = start + options.duration;
  for (int c = 0; c < options.connections; ++c) {
    size_t t = static_cast<size_t>(c % options.threads);
    std::make_shared<Connection>(*contexts[t], shared, stats[t])->Start();
  }
  std::atomic<int> running{options.threads};
  std::vector<std::thread> workers;
  for (int t = 0; t < options.threads; ++t) {
    workers.emplace_back([&, t] {
      common::SetCurrentThreadName("bench-io");
      contexts[static_cast<size_t>(t)]->run();
      running.fetch_sub(1);
    });
  }

  // Progress on the caller's thread until every context has run dry.
  uint64_t last_completed = 0;
  auto last_tick = start;
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto now = Clock::now();
    if (on_progress && now - last_tick >= options.progress_interval) {
      uint64_t done = shared.completed.load(std::memory_order_relaxed);
      double secs = std::chrono::duration<double>(now - last_tick).count();
      on_progress(LoadProgress{.elapsed = now - start,
                               .completed = done,
                               .errors = shared.errors.load(std::memory_order_relaxed),
                               .rate_rps = static_cast<double>(done - last_completed) / secs});
      last_completed = done;
      last_tick = now;
    }
  }
  for (auto& w : workers) w.join();
  result.elapsed = Clock::now() - start;
  pool.StopRefiller();

  for (const auto& s : stats) {
    result.latency.Merge(s.latency);
    for (const auto& [code, n] : s.status_counts) result.status_counts[code] += n;
    for (size_t i = 0; i < kBenchOutcomeCount; ++i) {
      result.outcomes[i] += s.outcomes[i];
      result.aimed[i] += s.aimed[i];
    }
    result.ok += s.ok;
    result.unexpected_outcomes += s.unexpected;
    for (const auto& [what, n] : s.transport_errors) result.transport_errors[what] += n;
  }
  result.completed = shared.completed.load();
  double secs = std::chrono::duration<double>(result.elapsed).count();
  result.throughput_rps = secs > 0 ? static_cast<double>(result.latency.count()) / secs : 0;
  result.signed_inline = pool.signed_inline();
  result.resigned = pool.resigned();
  result.refilled = pool.refilled();
  return result;
}

double MeasureVerifyRate(std::chrono::milliseconds budget) {
  if (sodium_init() < 0) return 0;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  // METHOD + PATH + TIMESTAMP + 64 hex chars: the size of a real signed message.
  std::string message = "POST/v1/negotiate1700000000" + std::string(64, 'a');
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), sk);
  uint64_t done = 0;
  auto start = Clock::now();
  auto end = start + budget;
  volatile int sink = 0;
  while (Clock::now() < end) {
    for (int i = 0; i < 64; ++i) {
      sink = sink + crypto_sign_verify_detached(
                        sig, reinterpret_cast<const unsigned char*>(message.data()),
                        message.size(), pk);
    }
    done += 64;
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return secs > 0 ? static_cast<double>(done) / secs : 0;
}

}  // namespace aura::cli
