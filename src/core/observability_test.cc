// CoreObservability end to end inside one process: a real SQLite store, the
// gRPC server on a free port, the SDK's in-memory exporter as the global
// provider and the metrics HTTP server on a free port.
#include "core/observability.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <set>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "aura/negotiation/v1/negotiation.grpc.pb.h"
#include "common/clock.h"
#include "core/core_server.h"
#include "telemetry/api/provider.h"
#include "telemetry/exporters/memory/in_memory_span_exporter.h"
#include "telemetry/exporters/memory/span_capture.h"
#include "telemetry/sdk/simple_span_processor.h"
#include "telemetry/sdk/tracer_provider.h"
#include "tests/support/process.h"

namespace aura::core {
namespace {

namespace v1 = aura::negotiation::v1;
using telemetry::sdk::SpanData;

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParentSpanId[] = "00f067aa0ba902b7";

std::string Attr(const SpanData& span, const std::string& key) {
  for (const auto& [k, v] : span.attributes) {
    if (k != key) continue;
    if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
    if (std::holds_alternative<int64_t>(v)) return std::to_string(std::get<int64_t>(v));
    if (std::holds_alternative<double>(v)) return std::to_string(std::get<double>(v));
    if (std::holds_alternative<bool>(v)) return std::get<bool>(v) ? "true" : "false";
  }
  return "";
}

// One HTTP/1.1 GET to 127.0.0.1:port; the whole response (status line on).
std::string HttpGet(int port, const std::string& target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

// The value of the first sample line starting with `series`, or -1.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

class CoreObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("aura_core_obs_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    obs_ = std::make_unique<CoreObservability>(CoreObservabilityOptions{.clock = &clock_});
    storage::StoreOptions store_options;
    store_options.url = "sqlite://" + (dir_ / "core.db").string();
    store_options.clock = &clock_;
    store_options.statement_observer = obs_->MakeStatementObserver((dir_ / "core.db").string());
    store_options.capture_caller = CaptureTraceContext();
    auto store = storage::MakeStore(store_options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate().ok());
    storage::Item item;
    item.id = "hotel_alpha";
    item.name = "Hotel Alpha";
    item.base_price = 1000;
    item.floor_price = 800;
    ASSERT_TRUE(store_->UpsertItems({item}).ok());
    obs_->WatchNegotiations(*store_);

    CoreServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.session_ttl = std::chrono::seconds(60);
    options.health_check_interval = std::chrono::milliseconds(20);
    options.enable_reflection = false;
    auto core = CoreServer::Start(options, *store_, clock_, CoreServerParts{.observability = obs_.get()});
    ASSERT_TRUE(core.ok()) << core.status().ToString();
    core_ = std::move(*core);
    ASSERT_TRUE(obs_->StartHttp({.host = "127.0.0.1", .port = 0},
                                [c = core_.get()] { return c->serving(); })
                    .ok());
    stub_ = v1::NegotiationService::NewStub(
        grpc::CreateChannel(core_->dial_address(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (obs_) obs_->StopHttp();
    if (core_) core_->Shutdown(std::chrono::milliseconds(1000));
    core_.reset();
    store_.reset();
    obs_.reset();
    telemetry::SetTracerProvider(nullptr);
    std::filesystem::remove_all(dir_);
  }

  grpc::Status Negotiate(const std::string& request_id, double bid, bool traced = false) {
    v1::NegotiateRequest request;
    request.set_request_id(request_id);
    request.set_item_id("hotel_alpha");
    request.set_bid_amount(bid);
    request.set_currency_code("USD");
    request.mutable_agent()->set_did("did:key:obs");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (traced) {
      context.AddMetadata("traceparent",
                          std::string("00-") + kTraceId + "-" + kParentSpanId + "-01");
    }
    v1::NegotiateResponse response;
    return stub_->Negotiate(&context, request, &response);
  }

  common::FakeClock clock_;
  telemetry::exporters::SpanCapture capture_;  // installed for the whole test
  std::shared_ptr<telemetry::exporters::InMemorySpanData> spans_ = capture_.spans;
  std::shared_ptr<telemetry::sdk::TracerProvider> provider_ = capture_.provider;
  std::filesystem::path dir_;
  std::unique_ptr<CoreObservability> obs_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<CoreServer> core_;
  std::unique_ptr<v1::NegotiationService::Stub> stub_;
};

TEST_F(CoreObservabilityTest, NegotiateContinuesTheIncomingTraceWithPricingAndSqlChildren) {
  ASSERT_TRUE(Negotiate("obs-traced-1", 777.25, /*traced=*/true).ok());
  provider_->ForceFlush();

  const SpanData* server = nullptr;
  const SpanData* decide = nullptr;
  std::vector<const SpanData*> sql;
  std::vector<SpanData> all = spans_->GetSpans();
  for (const SpanData& s : all) {
    if (s.context.trace_id.ToHex() != kTraceId) continue;
    if (s.name == "aura.negotiation.v1.NegotiationService/Negotiate") server = &s;
    if (s.name == "pricing.decide") decide = &s;
    if (s.kind == telemetry::SpanKind::kClient && !Attr(s, "db.system.name").empty()) sql.push_back(&s);
  }
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->kind, telemetry::SpanKind::kServer);
  EXPECT_EQ(server->parent_span_id.ToHex(), kParentSpanId);
  EXPECT_TRUE(server->parent_is_remote);
  EXPECT_EQ(Attr(*server, "rpc.system"), "grpc");
  EXPECT_EQ(Attr(*server, "rpc.service"), "aura.negotiation.v1.NegotiationService");
  EXPECT_EQ(Attr(*server, "rpc.method"), "Negotiate");
  EXPECT_EQ(Attr(*server, "rpc.grpc.status_code"), "0");
  EXPECT_NE(server->status, telemetry::StatusCode::kError);

  ASSERT_NE(decide, nullptr);
  EXPECT_EQ(decide->parent_span_id, server->context.span_id);
  EXPECT_EQ(Attr(*decide, "aura.item_id"), "hotel_alpha");
  EXPECT_EQ(Attr(*decide, "aura.agent_did"), "did:key:obs");
  EXPECT_EQ(Attr(*decide, "aura.strategy"), "rule");
  EXPECT_FALSE(Attr(*decide, "aura.outcome").empty());
  EXPECT_TRUE(Attr(*decide, "aura.reservation_code").empty());

  ASSERT_GE(sql.size(), 2u);  // the replay lookup and the insert at least
  bool saw_insert = false;
  for (const SpanData* s : sql) {
    EXPECT_EQ(s->parent_span_id, server->context.span_id) << s->name;
    EXPECT_EQ(Attr(*s, "db.system.name"), "sqlite");
    EXPECT_EQ(Attr(*s, "db.system"), "sqlite");
    EXPECT_FALSE(Attr(*s, "db.namespace").empty());
    const std::string text = Attr(*s, "db.query.text");
    EXPECT_EQ(text.find("obs-traced-1"), std::string::npos) << text;
    EXPECT_EQ(text.find("777"), std::string::npos) << text;
    EXPECT_EQ(text.find("hotel_alpha"), std::string::npos) << text;
    const std::string table = Attr(*s, "db.collection.name");
    EXPECT_EQ(s->name, Attr(*s, "db.operation.name") + (table.empty() ? "" : " " + table));
    saw_insert |= s->name == "INSERT negotiations";
  }
  EXPECT_TRUE(saw_insert);

  auto record = store_->FindNegotiation("obs-traced-1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->trace_id, kTraceId);
}

// SQLite's group commit runs the INSERTs of concurrent requests on the thread
// of the request that leads the commit. Each INSERT span must still land in the
// trace of the request it stores, under that request's server span; BEGIN and
// COMMIT, shared by the batch, belong to the leader's trace.
TEST_F(CoreObservabilityTest, GroupCommittedInsertsStayInTheirOwnRequestsTraces) {
  constexpr int kRequests = 12;
  bool batched = false;
  for (int attempt = 0; attempt < 5 && !batched; ++attempt) {
    spans_->Reset();
    std::latch start(kRequests);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRequests; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        EXPECT_TRUE(Negotiate("obs-group-" + std::to_string(attempt) + "-" + std::to_string(i), 850).ok());
      });
    }
    for (auto& t : threads) t.join();
    provider_->ForceFlush();

    const std::vector<SpanData> all = spans_->GetSpans();
    std::map<std::string, const SpanData*> server_of_trace;
    for (const SpanData& s : all) {
      if (s.name == "aura.negotiation.v1.NegotiationService/Negotiate") server_of_trace[s.context.trace_id.ToHex()] = &s;
    }
    ASSERT_EQ(server_of_trace.size(), static_cast<size_t>(kRequests));
    std::map<std::string, int> inserts_in_trace;
    std::set<std::string> traces_with_a_transaction;
    int transactions = 0;
    for (const SpanData& s : all) {
      if (s.name == "BEGIN") {
        ++transactions;
        traces_with_a_transaction.insert(s.context.trace_id.ToHex());
      }
    }
    for (const SpanData& s : all) {
      if (s.name != "INSERT negotiations") continue;
      const std::string trace = s.context.trace_id.ToHex();
      ++inserts_in_trace[trace];
      ASSERT_TRUE(server_of_trace.contains(trace));
      EXPECT_EQ(s.parent_span_id, server_of_trace[trace]->context.span_id);
      // Run in another request's transaction: linked to that request's server span.
      if (traces_with_a_transaction.contains(trace)) {
        EXPECT_TRUE(s.links.empty()) << "trace " << trace;
      } else {
        ASSERT_EQ(s.links.size(), 1u) << "trace " << trace;
        const std::string leader = s.links[0].context.trace_id.ToHex();
        EXPECT_TRUE(traces_with_a_transaction.contains(leader)) << leader;
        ASSERT_TRUE(server_of_trace.contains(leader));
        EXPECT_EQ(s.links[0].context.span_id, server_of_trace[leader]->context.span_id);
      }
    }
    for (const auto& [trace, server] : server_of_trace) {
      EXPECT_EQ(inserts_in_trace[trace], 1) << "trace " << trace;
    }
    batched = transactions < kRequests;
  }
  EXPECT_TRUE(batched) << "no two inserts shared a commit in five tries";
}

TEST_F(CoreObservabilityTest, ServerErrorsMarkTheSpanOnlyForServerSideCodes) {
  // INVALID_ARGUMENT: the caller's fault, the span stays unset.
  EXPECT_EQ(Negotiate("obs-bad", -5).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  provider_->ForceFlush();
  bool found = false;
  for (const SpanData& s : spans_->GetSpans()) {
    if (s.name != "aura.negotiation.v1.NegotiationService/Negotiate") continue;
    found = true;
    EXPECT_EQ(Attr(s, "rpc.grpc.status_code"), "3");
    EXPECT_NE(s.status, telemetry::StatusCode::kError);
  }
  EXPECT_TRUE(found);
}

TEST_F(CoreObservabilityTest, MetricsEndpointsServeTheFamiliesAndNegotiationCountFollowsExpiry) {
  ASSERT_TRUE(Negotiate("obs-m-1", 900).ok());
  ASSERT_TRUE(Negotiate("obs-m-2", 950).ok());
  ASSERT_TRUE(Negotiate("obs-m-2", 950).ok());  // a replay: not a new decision

  const int port = obs_->http_port();
  ASSERT_GT(port, 0);
  std::string metrics = HttpGet(port, "/metrics");
  EXPECT_NE(metrics.find("200 OK"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("text/plain; version=0.0.4"), std::string::npos);
  for (const char* family :
       {"aura_grpc_server_handled_total", "aura_grpc_server_request_duration_seconds",
        "aura_db_client_", "aura_negotiation_outcomes_total", "negotiation_count",
        "aura_llm_"}) {
    EXPECT_NE(metrics.find(family), std::string::npos) << family;
  }
  EXPECT_NE(metrics.find(R"(code="OK",method="Negotiate"} 3)"), std::string::npos);
  EXPECT_EQ(Sample(obs_->MetricsText(), "negotiation_count"), 2);

  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(Sample(obs_->MetricsText(), "negotiation_count"), 0);

  EXPECT_NE(HttpGet(port, "/healthz").find(R"({"status":"ok"})"), std::string::npos);
  EXPECT_NE(HttpGet(port, "/debug/traces?limit=5").find("200 OK"), std::string::npos);
  // Ready once the health checker's first ping has answered.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!core_->serving() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  ASSERT_TRUE(core_->serving());
  EXPECT_NE(HttpGet(port, "/readyz").find(" 200 "), std::string::npos);
}

TEST_F(CoreObservabilityTest, ReadyzIsUnavailableWhileNotReady) {
  CoreObservability other;
  ASSERT_TRUE(other.StartHttp({.host = "127.0.0.1", .port = 0}, [] { return false; }).ok());
  EXPECT_NE(HttpGet(other.http_port(), "/readyz").find(" 503 "), std::string::npos);
  // The same port twice: a clear error, not a crash.
  CoreObservability clash;
  common::Status s = clash.StartHttp({.host = "127.0.0.1", .port = other.http_port()});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("metrics port"), std::string::npos) << s.message();
}

TEST_F(CoreObservabilityTest, CacheHitRateFollowsTheSourceTotals) {
  uint64_t hits = 0;
  uint64_t misses = 0;
  obs_->AddCacheSource("search", [&] { return std::pair<uint64_t, uint64_t>(hits, misses); });
  hits = 3;
  misses = 1;
  EXPECT_DOUBLE_EQ(Sample(obs_->MetricsText(), R"(cache_hit_rate{cache="search"})"), 0.75);
  misses = 5;
  EXPECT_NEAR(Sample(obs_->MetricsText(), R"(cache_hit_rate{cache="search"})"), 3.0 / 8.0, 1e-9);
}

// promtool's lint may only name the two compatibility series the design keeps.
TEST_F(CoreObservabilityTest, MetricsPassPromtoolApartFromCompatibilityNames) {
  ASSERT_TRUE(Negotiate("obs-p-1", 900).ok());
  EXPECT_EQ(Negotiate("obs-p-2", -1).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  obs_->AddCacheSource("search", [] { return std::pair<uint64_t, uint64_t>(1, 1); });
  const std::string text = obs_->MetricsText();
  aura::testing::PromtoolResult promtool = aura::testing::PromtoolCheckMetrics(text);
  ASSERT_NE(promtool.exit_code, 127) << "promtool (Debian package prometheus) is needed";
  ASSERT_NE(promtool.exit_code, 1) << promtool.output;
  EXPECT_TRUE(promtool.unexpected_findings.empty()) << promtool.output;
}

}  // namespace
}  // namespace aura::core

namespace aura::core {
namespace {

TEST(CoreObservabilityObserver, PostgresStatementsNameTheServerAndDatabaseWithoutCredentials) {
  telemetry::exporters::SpanCapture capture;
  auto& spans = capture.spans;
  auto& provider = capture.provider;
  {
    CoreObservability obs;
    common::Config config;
    config.database.url = "postgresql://aura:s3cret@db.internal:6543/aura_hive?sslmode=disable";
    storage::StatementObserver observer = obs.StatementObserverFor(config);
    // Statements are traced inside a request's trace only.
    auto request = telemetry::GetTracer("test").StartScopedSpan("request");
    const auto start = std::chrono::system_clock::now() - std::chrono::milliseconds(5);
    observer({.name = "negotiations.find",
              .operation = "SELECT",
              .table = "negotiations",
              .db_system = "postgresql",
              .start = start,
              .duration = std::chrono::milliseconds(2),
              .code = common::StatusCode::kUnavailable,
              .sql = "SELECT * FROM negotiations WHERE request_id = $1"});
    provider->ForceFlush();
    std::vector<SpanData> all = spans->GetSpans();
    ASSERT_EQ(all.size(), 1u);
    const SpanData& s = all[0];
    EXPECT_EQ(s.name, "SELECT negotiations");
    EXPECT_EQ(s.kind, telemetry::SpanKind::kClient);
    EXPECT_EQ(Attr(s, "db.system.name"), "postgresql");
    EXPECT_EQ(Attr(s, "db.namespace"), "aura_hive");
    EXPECT_EQ(Attr(s, "server.address"), "db.internal");
    EXPECT_EQ(Attr(s, "server.port"), "6543");
    EXPECT_EQ(Attr(s, "db.query.text"), "SELECT * FROM negotiations WHERE request_id = $1");
    EXPECT_EQ(s.status, telemetry::StatusCode::kError);
    EXPECT_EQ(s.start_unix_nanos,
              std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count());
    EXPECT_EQ(s.end_unix_nanos - s.start_unix_nanos, 2'000'000);
    for (const auto& [k, v] : s.attributes) {
      if (std::holds_alternative<std::string>(v)) {
        EXPECT_EQ(std::get<std::string>(v).find("s3cret"), std::string::npos) << k;
      }
    }
    EXPECT_NE(obs.MetricsText().find("aura_db_client_"), std::string::npos);
  }
  telemetry::SetTracerProvider(nullptr);
}

TEST(CoreObservabilityTraces, MalformedQueriesAreRefusedLikeTheGateways) {
  CoreObservability obs;
  EXPECT_FALSE(obs.TracesJson("trace_id=xyz").ok());
  EXPECT_FALSE(obs.TracesJson("limit=0").ok());
  EXPECT_FALSE(obs.TracesJson("min_duration_ms=-1").ok());
  common::Result<std::string> all = obs.TracesJson("limit=5&service=aura-core");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
}

TEST(CoreObservabilityObserver, StatementsOutsideARequestAreCountedButNotTraced) {
  telemetry::exporters::SpanCapture capture;
  auto& spans = capture.spans;
  auto& provider = capture.provider;
  {
    CoreObservability obs;
    common::Config config;
    storage::StatementObserver observer = obs.StatementObserverFor(config);
    // What the health checker's ping looks like: no request around it.
    observer({.name = "ping",
              .operation = "SELECT",
              .table = "",
              .db_system = "sqlite",
              .start = std::chrono::system_clock::now(),
              .duration = std::chrono::microseconds(50),
              .code = common::StatusCode::kOk,
              .sql = "SELECT 1"});
    provider->ForceFlush();
    EXPECT_TRUE(spans->GetSpans().empty());
    EXPECT_NE(obs.MetricsText().find(R"(aura_db_client_operations_total{operation="SELECT",outcome="ok",system="sqlite"} 1)"),
              std::string::npos);
  }
  telemetry::SetTracerProvider(nullptr);
}

}  // namespace
}  // namespace aura::core
