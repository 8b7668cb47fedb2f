#include "core/observability.h"

#include <cstdlib>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "common/text/percent_decode.h"
#include "http/http_server.h"
#include "http/router.h"
#include "telemetry/api/context.h"
#include "telemetry/api/tracer.h"
#include "telemetry/metrics_bridge.h"

namespace aura::core {
namespace {

const telemetry::Tracer& DbTracer() {
  static const telemetry::Tracer tracer("aura.core.storage");
  return tracer;
}

struct DbTarget {
  std::string system;
  std::string name;
  std::string host;
  int port = 0;
};

// What a store URL says about the database, without credentials.
DbTarget ParseStoreUrl(std::string_view url) {
  DbTarget t;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    t.system = "postgresql";
    std::string_view rest = url.substr(url.find("://") + 3);
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    path = path.substr(0, path.find('?'));
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      authority = authority.substr(at + 1);
    }
    std::string_view host = authority;
    if (!authority.empty() && authority.front() == '[') {
      size_t close = authority.find(']');
      host = authority.substr(1, close == std::string_view::npos ? authority.size() - 1 : close - 1);
      if (close != std::string_view::npos && close + 1 < authority.size() &&
          authority[close + 1] == ':') {
        t.port = std::atoi(std::string(authority.substr(close + 2)).c_str());
      }
    } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      t.port = std::atoi(std::string(authority.substr(colon + 1)).c_str());
    }
    t.host = host.empty() ? "localhost" : std::string(host);
    if (t.port == 0) t.port = 5432;
    t.name = common::PercentDecode(path).value_or(std::string(path));
  } else if (url.starts_with("sqlite://")) {
    t.system = "sqlite";
    t.name = std::string(url.substr(9));
  } else {
    t.system = "sqlite";
    t.name = "memory";
  }
  return t;
}

// While a statement runs for one request on the thread of another (SQLite's
// group commit), the span context of that other request, which ran the
// transaction: the statement's span links to it. Null otherwise.
thread_local const telemetry::SpanContext* t_transaction_of = nullptr;

}  // namespace

storage::CaptureCaller CaptureTraceContext() {
  return [] {
    return storage::RunAsCaller(
        [context = telemetry::Context::Current()](const std::function<void()>& work) {
          std::optional<telemetry::SpanContext> runner;
          const telemetry::SpanContext* current = telemetry::CurrentSpanContext();
          if (current != nullptr && current->IsValid() &&
              current->trace_id != context.span_context.trace_id) {
            runner = *current;
          }
          struct Restore {
            const telemetry::SpanContext* outer;
            ~Restore() { t_transaction_of = outer; }
          } restore{std::exchange(t_transaction_of, runner ? &*runner : nullptr)};
          telemetry::Scope scope(context);
          work();
        });
  };
}

CoreObservability::CoreObservability(CoreObservabilityOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : common::SystemClock::Instance()),
      grpc_(registry_, "server"),
      db_(registry_),
      negotiations_(registry_),
      llm_(registry_) {
  // Registered before VitalSigns so each scrape feeds the windows first.
  registry_.OnCollect([this] { FeedCaches(); });
  vitals_ = std::make_unique<common::VitalSigns>(registry_, clock_);
  if (options_.tracing_health) telemetry::PublishTracingHealth(registry_, options_.tracing_health);
}

CoreObservability::~CoreObservability() { StopHttp(); }

storage::StatementObserver CoreObservability::MakeStatementObserver(std::string db_namespace,
                                                                    std::string server_address,
                                                                    int server_port) {
  return [this, db_namespace = std::move(db_namespace), server_address = std::move(server_address),
          server_port](const storage::StatementEvent& e) {
    try {
      const std::string operation(e.operation);
      db_.For(std::string(e.db_system), operation)
          .Record(e.code == common::StatusCode::kOk, std::chrono::duration<double>(e.duration).count());
      // Statements outside any request (the health checker's ping every second,
      // the search index's poll) would each be a one-span trace of their own:
      // they are counted above but only traced inside a request's trace.
      const telemetry::SpanContext* parent = telemetry::CurrentSpanContext();
      if (parent == nullptr || !parent->IsValid()) return;
      // Kept per thread: "SELECT negotiations" is past the short-string buffer.
      thread_local std::string name;
      name.assign(operation);
      if (!e.table.empty()) name.append(" ").append(e.table);
      telemetry::Span span = DbTracer().StartSpan(
          name, {.kind = telemetry::SpanKind::kClient, .start_time = e.start});
      if (t_transaction_of != nullptr) span.AddLink(*t_transaction_of);
      span.SetAttribute("db.system.name", e.db_system)
          .SetAttribute("db.system", e.db_system)
          .SetAttribute("db.operation.name", e.operation);
      if (!e.table.empty()) span.SetAttribute("db.collection.name", e.table);
      if (!db_namespace.empty()) span.SetAttribute("db.namespace", db_namespace);
      // Prepared statements only carry placeholders; migration scripts are
      // whole files and stay out.
      if (!e.sql.empty() && e.operation != "DDL") span.SetAttribute("db.query.text", e.sql);
      if (!server_address.empty()) {
        span.SetAttribute("server.address", server_address)
            .SetAttribute("server.port", static_cast<int64_t>(server_port));
      }
      const bool ok = e.code == common::StatusCode::kOk;
      if (!ok) {
        span.SetAttribute("error.type", common::StatusCodeName(e.code))
            .SetStatus(telemetry::StatusCode::kError, common::StatusCodeName(e.code));
      }
      span.End(e.start + std::chrono::duration_cast<std::chrono::system_clock::duration>(e.duration));
    } catch (...) {
      // An observer must not throw into the store.
    }
  };
}

storage::StatementObserver CoreObservability::StatementObserverFor(const common::Config& config) {
  DbTarget t = ParseStoreUrl(config.database.url.empty() ? common::DefaultSqliteUrl(config)
                                                        : config.database.url);
  if (t.system == "postgresql") return MakeStatementObserver(t.name, t.host, t.port);
  return MakeStatementObserver(t.name);
}

void CoreObservability::WatchNegotiations(storage::Store& store) {
  vitals_->SetNegotiationCount([&store, this]() -> std::optional<int64_t> {
    common::Result<int64_t> n = store.CountValidNegotiations(clock_.NowUnixSeconds());
    if (!n.ok()) return std::nullopt;
    return *n;
  });
}

void CoreObservability::AddCacheSource(const std::string& name,
                                       std::function<std::pair<uint64_t, uint64_t>()> totals) {
  vitals_->Cache(name);  // the series exists from now on
  std::lock_guard lock(caches_mu_);
  CacheSource source{.name = name, .totals = std::move(totals)};
  auto [hits, misses] = source.totals();
  source.hits = hits;
  source.misses = misses;
  caches_.push_back(std::move(source));
}

void CoreObservability::FeedCaches() {
  std::lock_guard lock(caches_mu_);
  const int64_t now = clock_.NowUnixSeconds();
  // More than this many lookups between two scrapes are sampled down (the
  // rate is a ratio, so scaling both keeps it).
  constexpr uint64_t kMaxRecords = 100000;
  for (CacheSource& c : caches_) {
    try {
      auto [hits, misses] = c.totals();
      uint64_t dh = hits > c.hits ? hits - c.hits : 0;
      uint64_t dm = misses > c.misses ? misses - c.misses : 0;
      c.hits = hits;
      c.misses = misses;
      if (dh + dm > kMaxRecords) {
        const double scale = static_cast<double>(kMaxRecords) / static_cast<double>(dh + dm);
        dh = static_cast<uint64_t>(static_cast<double>(dh) * scale);
        dm = static_cast<uint64_t>(static_cast<double>(dm) * scale);
      }
      common::HitRateWindow& window = vitals_->Cache(c.name);
      for (uint64_t i = 0; i < dh; ++i) window.Record(true, now);
      for (uint64_t i = 0; i < dm; ++i) window.Record(false, now);
    } catch (...) {
      // Keep the last figures.
    }
  }
}

std::string CoreObservability::MetricsText() { return registry_.Serialize(); }

common::Result<std::string> CoreObservability::TracesJson(const std::string& query_string) const {
  AURA_ASSIGN_OR_RETURN(telemetry::exporters::TraceQuery query, telemetry::exporters::ParseTraceQuery(query_string));
  if (!options_.recent_spans) return std::string("[]");
  return options_.recent_spans->QueryJson(query);
}

common::Status CoreObservability::StartHttp(const MetricsHttpOptions& options,
                                            std::function<bool()> ready) {
  if (http_) return common::FailedPreconditionError("metrics HTTP server already started");
  auto router = std::make_shared<http::Router>();
  router->Add("GET", "/metrics", [this](http::HttpRequest&, http::HttpResponder r) {
    std::move(r).Send(http::HttpResponse::Text(200, MetricsText(), common::kMetricsContentType));
  });
  router->Add("GET", "/healthz", [](http::HttpRequest&, http::HttpResponder r) {
    std::move(r).Send(http::HttpResponse::Json(200, R"({"status":"ok"})"));
  });
  router->Add("GET", "/readyz", [ready](http::HttpRequest&, http::HttpResponder r) {
    bool ok = true;
    try {
      ok = !ready || ready();
    } catch (...) {
      ok = false;
    }
    std::move(r).Send(ok ? http::HttpResponse::Json(200, R"({"status":"ready"})")
                         : http::HttpResponse::Json(503, R"({"status":"not_ready"})"));
  });
  router->Add("GET", "/debug/traces", [this](http::HttpRequest& req, http::HttpResponder r) {
    common::Result<std::string> traces = TracesJson(req.query);
    std::move(r).Send(traces.ok() ? http::HttpResponse::Json(200, *traces)
                                  : http::HttpResponse::Error(400, traces.status().message()));
  });
  http::HttpServerOptions http_options;
  http_options.bind_address = options.host;
  http_options.port = options.port;
  http_options.io_threads = 1;
  auto server = std::make_unique<http::HttpServer>(
      std::move(http_options),
      [router](http::HttpRequest& req, http::HttpResponder r) { router->Dispatch(req, std::move(r)); });
  common::Status started = server->Start();
  if (!started.ok()) {
    return common::Status(started.code(), "metrics port " + options.host + ":" +
                                              std::to_string(options.port) + ": " +
                                              started.message());
  }
  http_ = std::move(server);
  return common::OkStatus();
}

int CoreObservability::http_port() const noexcept { return http_ ? http_->port() : 0; }

void CoreObservability::StopHttp() {
  if (http_) {
    http_->Stop(std::chrono::milliseconds(1000));
    http_.reset();
  }
}

}  // namespace aura::core
