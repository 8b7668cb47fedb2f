#include "telemetry/tracing.h"

#include <thread>

#include <gtest/gtest.h>

#include "common/log/log.h"
#include "common/log/testing/log_capture.h"
#include "telemetry/api/propagator.h"
#include "tests/fakes/otlp_receiver.h"

namespace aura::telemetry {
namespace {

using namespace std::chrono_literals;
using fakes::Reply;

common::Config MakeConfig(std::map<std::string, std::string> vars) {
  return common::LoadConfig(common::Environment::FromMap(std::move(vars)), "aura-test");
}

using common::LogCapture;

TEST(InstallTracing, EmptyServiceNameIsAConfigError) {
  common::Config config = MakeConfig({});
  config.telemetry.service_name.clear();
  EXPECT_THROW(InstallTracing(config, "", {.install_globally = false}), common::ConfigError);
  try {
    InstallTracing(config, "", {.install_globally = false});
  } catch (const common::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("service_name must be provided"), std::string::npos);
  }
}

TEST(InstallTracing, DefaultKeepsSpansInProcessForDebugTraces) {
  TracingPipeline p = InstallTracing(MakeConfig({{"OTEL_BSP_SCHEDULE_DELAY", "10"}}), "aura-gateway",
                                     {.install_globally = false});
  Tracer tracer = p.provider->GetTracer("aura.gateway");
  std::string trace_id;
  {
    auto root = tracer.StartScopedSpan("POST /v1/negotiate", {.kind = SpanKind::kServer});
    trace_id = root.context().trace_id.ToHex();
    auto child = tracer.StartScopedSpan("pricing.decide");
    child.SetStatus(StatusCode::kError, "floor");
  }
  ASSERT_TRUE(p.provider->ForceFlush(5s));
  EXPECT_EQ(p.Health().exporter, "memory");
  EXPECT_EQ(p.provider->resource().Get("service.name"), "aura-gateway");
  EXPECT_EQ(p.provider->resource().Get("telemetry.sdk.language"), "cpp");
  EXPECT_EQ(p.provider->resource().Get("telemetry.sdk.name"), "aura-telemetry");
  std::string json = p.recent_spans->QueryJson({.trace_id = trace_id});
  EXPECT_NE(json.find("\"root\":\"POST /v1/negotiate\""), std::string::npos);
  EXPECT_NE(json.find("\"span_count\":2"), std::string::npos);
  EXPECT_NE(json.find("\"error\":true"), std::string::npos);
  EXPECT_EQ(p.recent_spans->QueryJson({.service = "other"}), "{\"traces\":[]}");
  EXPECT_EQ(p.recent_spans->QueryJson({.min_duration_ms = 1e9}), "{\"traces\":[]}");
  EXPECT_NE(p.recent_spans->QueryJson({.errors_only = true}).find(trace_id), std::string::npos);
  p.Shutdown();
}

// With no exporter, spans reach /debug/traces after the short in-process
// delay (250 ms; the deadline below leaves room for a busy machine and is
// still shorter than the standard 5 s), with no flush; an explicit
// OTEL_BSP_SCHEDULE_DELAY still rules.
TEST(InstallTracing, InProcessDefaultShowsSpansBeforeTheStandardDelay) {
  TracingPipeline p = InstallTracing(MakeConfig({}), "aura-gateway", {.install_globally = false});
  std::string trace_id;
  {
    auto root = p.provider->GetTracer("aura.gateway").StartScopedSpan("GET /v1/items");
    trace_id = root.context().trace_id.ToHex();
  }
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (p.recent_spans->size() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(p.recent_spans->QueryJson({.trace_id = trace_id}).find("GET /v1/items"), std::string::npos);
  p.Shutdown();

  TracingPipeline slow = InstallTracing(MakeConfig({{"OTEL_BSP_SCHEDULE_DELAY", "60000"}}), "aura-gateway",
                                        {.install_globally = false});
  { auto span = slow.provider->GetTracer("aura.gateway").StartScopedSpan("GET /v1/items"); }
  std::this_thread::sleep_for(600ms);  // over twice the in-process delay
  EXPECT_EQ(slow.recent_spans->size(), 0u);
  slow.Shutdown();
}

TEST(InstallTracing, ServiceNamePrecedence) {
  auto name = [](std::map<std::string, std::string> vars) {
    TracingPipeline p = InstallTracing(MakeConfig(std::move(vars)), "aura-core", {.install_globally = false});
    std::string n = p.provider->resource().Get("service.name");
    p.Shutdown();
    return n;
  };
  EXPECT_EQ(name({}), "aura-core");
  EXPECT_EQ(name({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,team=x"}}), "from-attrs");
  EXPECT_EQ(name({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs"}, {"OTEL_SERVICE_NAME", "otel"}}), "otel");
  EXPECT_EQ(name({{"OTEL_SERVICE_NAME", "otel"}, {"AURA_SERVER__OTEL_SERVICE_NAME", "aura"}}), "aura");
}

TEST(InstallTracing, InvalidEndpointFallsBackToConsoleWithOneWarning) {
  LogCapture logs;
  TracingPipeline p = InstallTracing(MakeConfig({{"AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"}}),
                                     "aura-test", {.install_globally = false});
  EXPECT_EQ(p.Health().exporter_state, sdk::ExporterState::kFallbackConsole);
  EXPECT_EQ(p.Health().exporter, "console");
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 1);
  p.Shutdown();
}

TEST(InstallTracing, SdkDisabledGivesNoopSpansButPropagationWorks) {
  TracingPipeline p = InstallTracing(MakeConfig({{"OTEL_SDK_DISABLED", "TRUE"}}), "aura-test");
  EXPECT_FALSE(p.Health().enabled);
  std::vector<std::pair<std::string, std::string>> in = {
      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  HeaderMapCarrier carrier(in);
  Context parent = ExtractContext(carrier);
  Span s = GetTracer("x").StartSpan("noop", {.parent = &parent.span_context});
  EXPECT_FALSE(s.IsRecording());
  EXPECT_EQ(s.context().trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  p.Shutdown();
}

TEST(InstallTracing, SdkDisabledOnlyByTrue) {
  LogCapture logs;
  TracingPipeline p = InstallTracing(MakeConfig({{"OTEL_SDK_DISABLED", "1"}}), "aura-test", {.install_globally = false});
  EXPECT_TRUE(p.Health().enabled);
  EXPECT_EQ(logs.Count("telemetry.config"), 1);
  p.Shutdown();
}

TEST(InstallTracing, ExporterNoneAndUnknown) {
  TracingPipeline none = InstallTracing(MakeConfig({{"OTEL_TRACES_EXPORTER", "NONE"}}), "t", {.install_globally = false});
  EXPECT_EQ(none.Health().exporter_state, sdk::ExporterState::kNone);
  none.Shutdown();
  LogCapture logs;
  TracingPipeline odd = InstallTracing(MakeConfig({{"OTEL_TRACES_EXPORTER", "zipkin"}}), "t", {.install_globally = false});
  EXPECT_EQ(logs.Count("telemetry.config"), 1);
  odd.Shutdown();
}

TEST(InstallTracing, SampleRatioShorthandIsParentBasedRatio) {
  TracingPipeline p = InstallTracing(MakeConfig({{"AURA_SERVER__OTEL_SAMPLE_RATIO", "0.25"}}), "t",
                                     {.install_globally = false});
  EXPECT_EQ(p.provider->sampler().Description().substr(0, 44), "ParentBased{root:TraceIdRatioBased{0.250000}");
  p.Shutdown();
}

TEST(InstallTracing, ExportsOverGrpcAndLogLinesCarryTheExportedIds) {
  auto rx = fakes::OtlpReceiver::Start();
  LogCapture logs;
  TracingPipeline p = InstallTracing(MakeConfig({{"AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT", rx->grpc_endpoint()},
                                                 {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}),
                                     "aura-core");
  EXPECT_EQ(p.Health().exporter, "otlp_grpc");
  std::string trace_id, span_id;
  {
    auto span = GetTracer("aura.core").StartScopedSpan("aura.negotiation.v1.NegotiationService/Negotiate",
                                                       {.kind = SpanKind::kServer});
    trace_id = span.context().trace_id.ToHex();
    span_id = span.context().span_id.ToHex();
    AURA_LOG_INFO("negotiation.decided").With("outcome", "accepted");
  }
  ASSERT_TRUE(p.provider->ForceFlush(10s));
  ASSERT_TRUE(rx->WaitForSpans(1, 5s));
  auto spans = rx->Spans();
  EXPECT_EQ(spans[0].resource["service.name"], "aura-core");
  EXPECT_EQ(spans[0].span.kind(), 2);
  bool found = false;
  for (const auto& l : logs.Lines()) {
    if (l.find("negotiation.decided") != std::string::npos) {
      found = true;
      EXPECT_NE(l.find("\"trace_id\":\"" + trace_id + "\""), std::string::npos);
      EXPECT_NE(l.find("\"span_id\":\"" + span_id + "\""), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(p.Health().spans_exported, 1u);
  p.Shutdown();
  common::SetLogContextHook(nullptr);
}

TEST(InstallTracing, ExportsOverHttpProtobuf) {
  auto rx = fakes::OtlpReceiver::Start();
  TracingPipeline p = InstallTracing(MakeConfig({{"OTEL_EXPORTER_OTLP_ENDPOINT", rx->http_endpoint()},
                                                 {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                                                 {"OTEL_EXPORTER_OTLP_HEADERS", "x-key=v%201"}}),
                                     "aura-gateway", {.install_globally = false});
  EXPECT_EQ(p.Health().exporter, "otlp_http");
  { p.provider->GetTracer("g").StartSpan("GET /healthz", {.kind = SpanKind::kServer}); }
  ASSERT_TRUE(p.provider->ForceFlush(10s));
  ASSERT_TRUE(rx->WaitForSpans(1, 5s));
  auto req = rx->Requests();
  EXPECT_EQ(req[0].path, "/v1/traces");
  EXPECT_EQ(req[0].headers.find("x-key")->second, "v 1");
  p.Shutdown();
}

// --- exporter fault tests: the request path never waits on the collector ---

std::map<std::string, std::string> FaultVars(const std::string& endpoint) {
  return {{"AURA_SERVER__OTEL_EXPORTER_OTLP_ENDPOINT", endpoint},
          {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
          {"OTEL_EXPORTER_OTLP_TIMEOUT", "300"},
          {"OTEL_BSP_SCHEDULE_DELAY", "20"},
          {"OTEL_BSP_MAX_QUEUE_SIZE", "256"},
          {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "64"}};
}

// Ends `n` spans and returns the slowest End() seen.
std::chrono::nanoseconds EmitSpans(Tracer& tracer, int n) {
  std::chrono::nanoseconds worst{0};
  for (int i = 0; i < n; ++i) {
    Span s = tracer.StartSpan("op");
    s.SetAttribute("i", i).SetAttribute("aura.item_id", "item-1");
    auto t0 = std::chrono::steady_clock::now();
    s.End();
    worst = std::max(worst, std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0));
  }
  return worst;
}

// Captures what console export writes (InstallTracingOptions::console_sink).
struct ConsoleCapture {
  std::function<void(std::string_view)> Sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mu);
      lines.emplace_back(line);
    };
  }
  size_t Count() {
    std::lock_guard lock(mu);
    return lines.size();
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

TEST(TracingFaults, ReceiverDownAtStartThenComesUp) {
  int grpc_port, http_port;
  {
    auto probe = fakes::OtlpReceiver::Start();
    grpc_port = probe->grpc_port();
    http_port = probe->http_port();
  }
  LogCapture logs;
  ConsoleCapture console;
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(grpc_port);
  TracingPipeline p = InstallTracing(MakeConfig(FaultVars(endpoint)), "svc",
                                     {.install_globally = false,
                                      .console_sink = console.Sink(),
                                      .collector_probe_interval = 50ms});
  Tracer tracer = p.provider->GetTracer("t");
  auto worst = EmitSpans(tracer, 2000);
  EXPECT_LT(worst, 20ms);  // never waits on the collector
  p.provider->ForceFlush(5s);
  for (int i = 0; i < 3; ++i) {  // more batches and probes while down: still one warning
    EmitSpans(tracer, 10);
    ASSERT_TRUE(p.provider->ForceFlush(5s));
  }
  sdk::TracingHealth down = p.Health();
  EXPECT_EQ(down.exporter_state, sdk::ExporterState::kFallbackConsole);
  EXPECT_EQ(down.exporter, "console");
  EXPECT_EQ(down.endpoint, endpoint);
  EXPECT_NE(down.last_error.find("127.0.0.1:" + std::to_string(grpc_port)), std::string::npos) << down.last_error;
  EXPECT_GT(console.Count(), 0u);  // the spans went to the console (JSON lines)
  EXPECT_EQ(console.Count(), down.spans_exported);
  EXPECT_EQ(down.spans_failed, 0u);
  EXPECT_NE(console.lines[0].find("\"name\":\"op\""), std::string::npos) << console.lines[0];
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 1);  // one warning, not one per batch
  EXPECT_EQ(logs.Count("telemetry.export_failing"), 0);

  auto rx = fakes::OtlpReceiver::Start({.grpc_port = grpc_port, .http_port = http_port});
  bool resumed = false;
  for (auto until = std::chrono::steady_clock::now() + 20s; !resumed && std::chrono::steady_clock::now() < until;) {
    EmitSpans(tracer, 10);
    p.provider->ForceFlush(5s);
    resumed = rx->WaitForSpans(1, 100ms);  // the next probe is due 50 ms after the last
  }
  ASSERT_TRUE(resumed);
  sdk::TracingHealth up = p.Health();
  EXPECT_EQ(up.exporter_state, sdk::ExporterState::kOk);
  EXPECT_EQ(up.exporter, "otlp_grpc");
  EXPECT_EQ(logs.Count("telemetry.export_resumed"), 1);
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 1);

  // For good: the console gets nothing more, the receiver everything.
  const size_t console_before = console.Count();
  const size_t rx_before = rx->SpanCount();
  EmitSpans(tracer, 10);
  ASSERT_TRUE(p.provider->ForceFlush(5s));
  EXPECT_EQ(console.Count(), console_before);
  EXPECT_EQ(rx->SpanCount(), rx_before + 10);
  p.Shutdown();
}

TEST(TracingFaults, HttpReceiverDownAtStartFallsBackToConsoleToo) {
  int http_port;
  {
    auto probe = fakes::OtlpReceiver::Start();
    http_port = probe->http_port();
  }
  LogCapture logs;
  ConsoleCapture console;
  auto vars = FaultVars("http://127.0.0.1:" + std::to_string(http_port));
  vars["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
  TracingPipeline p = InstallTracing(MakeConfig(vars), "svc",
                                     {.install_globally = false, .console_sink = console.Sink()});
  Tracer tracer = p.provider->GetTracer("t");
  EmitSpans(tracer, 5);
  ASSERT_TRUE(p.provider->ForceFlush(5s));
  sdk::TracingHealth h = p.Health();
  EXPECT_EQ(h.exporter_state, sdk::ExporterState::kFallbackConsole);
  EXPECT_EQ(h.exporter, "console");
  EXPECT_EQ(h.endpoint, "http://127.0.0.1:" + std::to_string(http_port) + "/v1/traces");
  EXPECT_EQ(console.Count(), 5u);
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 1);
  p.Shutdown();
}

TEST(TracingFaults, ReceiverKilledMidRunAndRestarted) {
  auto rx = fakes::OtlpReceiver::Start();
  int grpc_port = rx->grpc_port(), http_port = rx->http_port();
  LogCapture logs;
  ConsoleCapture console;
  TracingPipeline p = InstallTracing(MakeConfig(FaultVars(rx->grpc_endpoint())), "svc",
                                     {.install_globally = false,
                                      .console_sink = console.Sink(),
                                      .collector_probe_interval = 10ms});
  Tracer tracer = p.provider->GetTracer("t");
  EmitSpans(tracer, 10);
  ASSERT_TRUE(p.provider->ForceFlush(5s));
  EXPECT_EQ(rx->SpanCount(), 10u);

  rx->Stop();
  rx.reset();
  for (int i = 0; i < 5; ++i) {
    EXPECT_LT(EmitSpans(tracer, 100), 20ms);
    p.provider->ForceFlush(5s);
  }
  EXPECT_EQ(p.Health().exporter_state, sdk::ExporterState::kFailing);
  EXPECT_EQ(logs.Count("telemetry.export_failing"), 1);
  // Reached once already: a mid-run outage drops and counts, no console flood.
  EXPECT_EQ(console.Count(), 0u);
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 0);

  rx = fakes::OtlpReceiver::Start({.grpc_port = grpc_port, .http_port = http_port});
  bool resumed = false;
  for (int attempt = 0; attempt < 50 && !resumed; ++attempt) {
    EmitSpans(tracer, 10);
    p.provider->ForceFlush(5s);
    resumed = rx->SpanCount() > 0;
  }
  EXPECT_TRUE(resumed);
  // The receiver counts the spans before the export call that carried them
  // has returned to the processor, and the health turns to kOk only then: a
  // slow run (sanitizers) may look in between.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (p.Health().exporter_state != sdk::ExporterState::kOk && std::chrono::steady_clock::now() < deadline) {
    EmitSpans(tracer, 1);
    p.provider->ForceFlush(1s);
  }
  EXPECT_EQ(p.Health().exporter_state, sdk::ExporterState::kOk);
  p.Shutdown();
}

TEST(TracingFaults, ShutdownIsBoundedWhileTheExporterRetries) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->SetDefaultReply({.kind = Reply::kUnavailable});
  auto vars = FaultVars(rx->grpc_endpoint());
  vars["OTEL_EXPORTER_OTLP_TIMEOUT"] = "30000";  // the exporter would retry for 30 s
  TracingPipeline p = InstallTracing(MakeConfig(vars), "svc", {.install_globally = false});
  Tracer tracer = p.provider->GetTracer("t");
  EmitSpans(tracer, 5);
  ASSERT_TRUE(rx->WaitForRequests(1, 5s));
  auto start = std::chrono::steady_clock::now();
  p.Shutdown(300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(TracingFaults, UnavailableAnswersAreRetriedAndCounted) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->SetDefaultReply({.kind = Reply::kUnavailable});
  auto vars = FaultVars(rx->grpc_endpoint());
  vars["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2000";  // room for at least one backoff (250 ms ± 50 %)
  TracingPipeline p = InstallTracing(MakeConfig(vars), "svc", {.install_globally = false});
  Tracer tracer = p.provider->GetTracer("t");
  EmitSpans(tracer, 5);
  EXPECT_FALSE(p.provider->ForceFlush(5s));
  EXPECT_GE(rx->RequestCount(), 2u);  // retried within the export timeout
  EXPECT_EQ(p.Health().spans_failed, 5u);
  rx->SetDefaultReply({});
  EmitSpans(tracer, 5);
  EXPECT_TRUE(p.provider->ForceFlush(5s));
  EXPECT_EQ(rx->SpanCount(), 5u);
  p.Shutdown();
}

TEST(TracingFaults, SlowReceiverKeepsEndCostFlatAndMemoryBounded) {
  auto rx = fakes::OtlpReceiver::Start();
  rx->SetDefaultReply({.delay = 200ms});
  TracingPipeline p = InstallTracing(MakeConfig(FaultVars(rx->grpc_endpoint())), "svc", {.install_globally = false});
  Tracer tracer = p.provider->GetTracer("t");
  auto start = std::chrono::steady_clock::now();
  auto worst = EmitSpans(tracer, 20000);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(worst, 20ms);
  EXPECT_LT(took, 5s);
  p.provider->ForceFlush(10s);
  sdk::TracingHealth h = p.Health();
  EXPECT_EQ(h.spans_ended, 20000u);
  EXPECT_GT(h.spans_dropped, 0u);  // the bounded queue (256) overflowed instead of growing
  EXPECT_EQ(h.spans_exported + h.spans_dropped + h.spans_failed, 20000u);
  p.Shutdown();
}

}  // namespace
}  // namespace aura::telemetry
