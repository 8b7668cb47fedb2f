#include "telemetry/sdk/fallback_until_reachable_exporter.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "common/log/log.h"
#include "common/log/testing/log_capture.h"
#include "telemetry/sdk/batch_span_processor.h"

namespace aura::telemetry::sdk {
namespace {

using namespace std::chrono_literals;

// Counts what it is given; Export can be held until released.
class FakeExporter final : public SpanExporter {
 public:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    size_t spans = 0;
    int exports = 0;
    int flushes = 0;
    bool shut_down = false;
    bool block = false;
  };
  explicit FakeExporter(std::shared_ptr<State> s) : s_(std::move(s)) {}
  ExportResult Export(std::span<const std::unique_ptr<SpanData>> spans) noexcept override {
    std::unique_lock lock(s_->mu);
    s_->cv.wait(lock, [&] { return !s_->block || s_->shut_down; });
    if (s_->shut_down) return ExportResult::kFailure;
    s_->spans += spans.size();
    ++s_->exports;
    s_->cv.notify_all();
    return ExportResult::kSuccess;
  }
  bool ForceFlush(std::chrono::milliseconds) noexcept override {
    std::lock_guard lock(s_->mu);
    ++s_->flushes;
    return true;
  }
  bool Shutdown(std::chrono::milliseconds) noexcept override {
    std::lock_guard lock(s_->mu);
    s_->shut_down = true;
    s_->cv.notify_all();
    return true;
  }

 private:
  std::shared_ptr<State> s_;
};

// A scripted probe: answers from `results` in order (the last one repeats).
struct FakeProbe {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<common::Status> results;
  int calls = 0;
  std::chrono::milliseconds last_timeout{0};
  bool hold = false;  // blocks the probe until cleared

  common::Status Probe(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    ++calls;
    last_timeout = timeout;
    cv.notify_all();
    cv.wait(lock, [&] { return !hold; });
    common::Status s = results.empty() ? common::OkStatus() : results.front();
    if (results.size() > 1) results.pop_front();
    return s;
  }
  void Set(std::initializer_list<common::Status> r) {
    std::lock_guard lock(mu);
    results.assign(r);
  }
  int Calls() {
    std::lock_guard lock(mu);
    return calls;
  }
};

using common::LogCapture;

std::vector<std::unique_ptr<SpanData>> Batch(size_t n) {
  std::vector<std::unique_ptr<SpanData>> b;
  for (size_t i = 0; i < n; ++i) {
    auto s = std::make_unique<SpanData>();
    s->name = "s";
    s->context.trace_id.bytes[0] = 1;
    s->context.span_id.bytes[0] = static_cast<uint8_t>(i + 1);
    s->context.trace_flags = kTraceFlagSampled;
    b.push_back(std::move(s));
  }
  return b;
}

const common::Status kRefused = common::UnavailableError("connect 127.0.0.1:4317: Connection refused");

// The wrapper with fake primary/fallback and a scripted probe.
struct Fixture {
  explicit Fixture(std::chrono::milliseconds interval = 0ms) {
    health->SetExporter("otlp_grpc", "http://127.0.0.1:4317", ExporterState::kOk);
    exporter = std::make_unique<FallbackUntilReachableExporter>(
        std::make_unique<FakeExporter>(primary), std::make_unique<FakeExporter>(fallback),
        FallbackUntilReachableOptions{.primary_name = "otlp_grpc",
                                      .endpoint = "http://127.0.0.1:4317",
                                      .probe = [this](std::chrono::milliseconds t) { return probe.Probe(t); },
                                      .probe_interval = interval,
                                      .probe_timeout = 40ms,
                                      .health = health});
  }
  ExportResult Export(size_t n) {
    auto b = Batch(n);
    return exporter->Export(b);
  }
  std::shared_ptr<FakeExporter::State> primary = std::make_shared<FakeExporter::State>();
  std::shared_ptr<FakeExporter::State> fallback = std::make_shared<FakeExporter::State>();
  std::shared_ptr<PipelineHealth> health = std::make_shared<PipelineHealth>();
  FakeProbe probe;
  std::unique_ptr<FallbackUntilReachableExporter> exporter;
};

TEST(FallbackUntilReachableExporter, NothingIsProbedAtConstruction) {
  Fixture f;
  EXPECT_EQ(f.probe.Calls(), 0);
  EXPECT_EQ(f.exporter->probes(), 0u);
  EXPECT_FALSE(f.exporter->reached());
  EXPECT_EQ(f.health->Snapshot().exporter_state, ExporterState::kOk);
}

TEST(FallbackUntilReachableExporter, ReachableAtFirstExportNeverUsesTheFallback) {
  LogCapture logs;
  Fixture f;
  f.probe.Set({common::OkStatus(), kRefused});
  EXPECT_EQ(f.Export(3), ExportResult::kSuccess);
  EXPECT_EQ(f.Export(2), ExportResult::kSuccess);
  EXPECT_TRUE(f.exporter->reached());
  EXPECT_EQ(f.primary->spans, 5u);
  EXPECT_EQ(f.fallback->spans, 0u);
  EXPECT_EQ(f.probe.Calls(), 1);  // reached: no more probes
  EXPECT_EQ(f.probe.last_timeout, 40ms);
  TracingHealth h = f.health->Snapshot();
  EXPECT_EQ(h.exporter_state, ExporterState::kOk);
  EXPECT_EQ(h.exporter, "otlp_grpc");
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 0);
  EXPECT_EQ(logs.Count("telemetry.export_resumed"), 0);
}

TEST(FallbackUntilReachableExporter, UnreachableGoesToTheFallbackWithOneWarningThenSwitchesForGood) {
  LogCapture logs;
  Fixture f;
  f.probe.Set({kRefused});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f.Export(4), ExportResult::kSuccess);
  EXPECT_EQ(f.fallback->spans, 12u);
  EXPECT_EQ(f.primary->spans, 0u);
  EXPECT_EQ(f.probe.Calls(), 3);
  EXPECT_TRUE(f.exporter->falling_back());
  TracingHealth h = f.health->Snapshot();
  EXPECT_EQ(h.exporter_state, ExporterState::kFallbackConsole);
  EXPECT_EQ(h.exporter, "console");
  EXPECT_EQ(h.endpoint, "http://127.0.0.1:4317");
  EXPECT_EQ(h.last_error, "connect 127.0.0.1:4317: Connection refused");
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 1);  // not one per batch
  std::string warning = logs.Find("telemetry.fallback_console");
  EXPECT_NE(warning.find("http://127.0.0.1:4317"), std::string::npos) << warning;
  EXPECT_NE(warning.find("Connection refused"), std::string::npos) << warning;

  f.probe.Set({common::OkStatus(), kRefused});
  EXPECT_EQ(f.Export(5), ExportResult::kSuccess);
  EXPECT_TRUE(f.exporter->reached());
  EXPECT_FALSE(f.exporter->falling_back());
  EXPECT_EQ(f.primary->spans, 5u);
  h = f.health->Snapshot();
  EXPECT_EQ(h.exporter_state, ExporterState::kOk);
  EXPECT_EQ(h.exporter, "otlp_grpc");
  EXPECT_EQ(logs.Count("telemetry.export_resumed"), 1);

  // Reached once: later batches go to the primary without probing, whatever the probe would say.
  EXPECT_EQ(f.Export(2), ExportResult::kSuccess);
  EXPECT_EQ(f.primary->spans, 7u);
  EXPECT_EQ(f.fallback->spans, 12u);
  EXPECT_EQ(f.probe.Calls(), 4);
  EXPECT_EQ(logs.Count("telemetry.fallback_console"), 1);
}

TEST(FallbackUntilReachableExporter, ProbesAtMostOncePerInterval) {
  Fixture f(1h);
  f.probe.Set({kRefused});
  for (int i = 0; i < 5; ++i) f.Export(1);
  EXPECT_EQ(f.probe.Calls(), 1);
  EXPECT_EQ(f.exporter->probes(), 1u);
  EXPECT_EQ(f.fallback->spans, 5u);
}

TEST(FallbackUntilReachableExporter, AThrowingProbeCountsAsUnreachable) {
  auto health = std::make_shared<PipelineHealth>();
  auto fallback = std::make_shared<FakeExporter::State>();
  FallbackUntilReachableExporter e(
      std::make_unique<FakeExporter>(std::make_shared<FakeExporter::State>()),
      std::make_unique<FakeExporter>(fallback),
      {.probe = [](std::chrono::milliseconds) -> common::Status { throw std::runtime_error("boom"); },
       .health = health});
  auto b = Batch(2);
  EXPECT_EQ(e.Export(b), ExportResult::kSuccess);
  EXPECT_EQ(fallback->spans, 2u);
  EXPECT_EQ(health->Snapshot().exporter_state, ExporterState::kFallbackConsole);
  EXPECT_NE(health->Snapshot().last_error.find("boom"), std::string::npos);
}

TEST(FallbackUntilReachableExporter, WithoutAProbeTheCollectorCountsAsReached) {
  auto primary = std::make_shared<FakeExporter::State>();
  FallbackUntilReachableExporter e(std::make_unique<FakeExporter>(primary),
                                   std::make_unique<FakeExporter>(std::make_shared<FakeExporter::State>()), {});
  auto b = Batch(1);
  EXPECT_EQ(e.Export(b), ExportResult::kSuccess);
  EXPECT_EQ(primary->spans, 1u);
}

TEST(FallbackUntilReachableExporter, ForceFlushAndShutdownReachBothExporters) {
  Fixture f;
  EXPECT_TRUE(f.exporter->ForceFlush(100ms));
  EXPECT_EQ(f.primary->flushes, 1);
  EXPECT_EQ(f.fallback->flushes, 1);
  EXPECT_TRUE(f.exporter->Shutdown(100ms));
  EXPECT_TRUE(f.primary->shut_down);
  EXPECT_TRUE(f.fallback->shut_down);
  EXPECT_EQ(f.Export(1), ExportResult::kFailure);
  EXPECT_EQ(f.probe.Calls(), 0);  // nothing is probed after shutdown
}

// Under a BatchSpanProcessor: a probe slower than OTEL_BSP_EXPORT_TIMEOUT is
// abandoned like any slow export (counted as failed), and the next batch
// goes through once it returns.
TEST(FallbackUntilReachableExporter, BatchProcessorExportTimeoutCoversASlowProbe) {
  Fixture f;
  f.probe.Set({kRefused});
  {
    std::lock_guard lock(f.probe.mu);
    f.probe.hold = true;
  }
  BatchSpanProcessor bsp(std::move(f.exporter),
                         {.max_queue_size = 64, .schedule_delay = 1h, .max_export_batch_size = 8,
                          .export_timeout = 50ms, .health = f.health});
  auto s = Batch(1);
  bsp.OnEnd(std::move(s[0]));
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(bsp.ForceFlush(5s));  // the export (held in the probe) timed out
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  TracingHealth h = f.health->Snapshot();
  EXPECT_EQ(h.exports_failed, 1u);
  EXPECT_EQ(h.spans_failed, 1u);
  {
    std::lock_guard lock(f.probe.mu);
    f.probe.hold = false;
  }
  f.probe.cv.notify_all();
  ASSERT_TRUE(bsp.WaitForAbandonedExport(5s));
  auto s2 = Batch(2);
  bsp.OnEnd(std::move(s2[0]));
  bsp.OnEnd(std::move(s2[1]));
  EXPECT_TRUE(bsp.ForceFlush(5s));
  // Still unreachable: the console got them, and also the abandoned batch
  // (its call finished on its own after the processor stopped waiting).
  EXPECT_EQ(f.fallback->spans, 3u);
  EXPECT_EQ(f.health->Snapshot().exporter_state, ExporterState::kFallbackConsole);
  EXPECT_TRUE(bsp.Shutdown(1s));
}

// Shutdown honours its deadline while the primary hangs (the wrapper passes
// Shutdown on, which ends the hung call).
TEST(FallbackUntilReachableExporter, ShutdownIsBoundedWhileThePrimaryHangs) {
  Fixture f;
  f.probe.Set({common::OkStatus()});
  {
    std::lock_guard lock(f.primary->mu);
    f.primary->block = true;
  }
  BatchSpanProcessor bsp(std::move(f.exporter),
                         {.max_queue_size = 64, .schedule_delay = 1h, .max_export_batch_size = 8,
                          .export_timeout = 0ms, .health = f.health});
  auto s = Batch(1);
  bsp.OnEnd(std::move(s[0]));
  EXPECT_FALSE(bsp.ForceFlush(100ms));
  auto start = std::chrono::steady_clock::now();
  bsp.Shutdown(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(f.primary->shut_down);
  EXPECT_TRUE(f.fallback->shut_down);
}

}  // namespace
}  // namespace aura::telemetry::sdk
