#include "telemetry/sdk/batch_span_processor.h"

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace aura::telemetry::sdk {
namespace {

using namespace std::chrono_literals;

// A hand-written mock exporter: records batches, can block or fail on demand,
// and checks that exports never overlap.
class MockExporter final : public SpanExporter {
 public:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<size_t> batch_sizes;
    size_t total = 0;
    int in_flight = 0;
    bool overlapped = false;
    bool block = false;
    bool fail = false;
    int force_flushes = 0;
    bool shut_down = false;
  };
  explicit MockExporter(std::shared_ptr<State> s) : s_(std::move(s)) {}
  ExportResult Export(std::span<const std::unique_ptr<SpanData>> spans) noexcept override {
    std::unique_lock lock(s_->mu);
    if (s_->shut_down) return ExportResult::kFailure;
    if (++s_->in_flight > 1) s_->overlapped = true;
    s_->cv.notify_all();  // tests wait for in_flight
    s_->cv.wait(lock, [&] { return !s_->block; });
    s_->batch_sizes.push_back(spans.size());
    s_->total += spans.size();
    --s_->in_flight;
    s_->cv.notify_all();
    return s_->fail ? ExportResult::kFailure : ExportResult::kSuccess;
  }
  bool ForceFlush(std::chrono::milliseconds) noexcept override {
    std::lock_guard lock(s_->mu);
    ++s_->force_flushes;
    return true;
  }
  bool Shutdown(std::chrono::milliseconds) noexcept override {
    std::lock_guard lock(s_->mu);
    s_->shut_down = true;
    return true;
  }

 private:
  std::shared_ptr<State> s_;
};

std::unique_ptr<SpanData> MakeSpan(bool sampled = true) {
  auto s = std::make_unique<SpanData>();
  s->name = "s";
  s->context.trace_id.bytes[0] = 1;
  s->context.span_id.bytes[0] = 1;
  s->context.trace_flags = sampled ? kTraceFlagSampled : 0;
  return s;
}

struct Bsp {
  explicit Bsp(BatchSpanProcessorOptions o) : state(std::make_shared<MockExporter::State>()) {
    o.health = health;
    bsp = std::make_unique<BatchSpanProcessor>(std::make_unique<MockExporter>(state), o);
  }
  std::shared_ptr<MockExporter::State> state;
  std::shared_ptr<PipelineHealth> health = std::make_shared<PipelineHealth>();
  std::unique_ptr<BatchSpanProcessor> bsp;
};

TEST(BatchSpanProcessor, DefaultsMatchTheSpecification) {
  BatchSpanProcessorOptions o;
  EXPECT_EQ(o.max_queue_size, 2048u);
  EXPECT_EQ(o.schedule_delay, 5000ms);
  EXPECT_EQ(o.max_export_batch_size, 512u);
  EXPECT_EQ(o.export_timeout, 30000ms);
}

TEST(BatchSpanProcessor, BatchSizeIsClampedToQueueSize) {
  Bsp b({.max_queue_size = 8, .max_export_batch_size = 100});
  EXPECT_EQ(b.bsp->options().max_export_batch_size, 8u);
}

TEST(BatchSpanProcessor, OnlySampledSpansAreQueued) {
  Bsp b({.schedule_delay = 60s});
  b.bsp->OnEnd(MakeSpan(false));
  b.bsp->OnEnd(MakeSpan(true));
  ASSERT_TRUE(b.bsp->ForceFlush(5s));
  EXPECT_EQ(b.state->total, 1u);
}

// The names of this process's threads, from /proc.
std::multiset<std::string> ThreadNames() {
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

TEST(BatchSpanProcessor, ItsThreadsAreNamedForTopAndProc) {
  Bsp b({.schedule_delay = 3600s});
  b.bsp->OnEnd(MakeSpan());
  ASSERT_TRUE(b.bsp->ForceFlush(5s));  // both threads have run by now
  const std::multiset<std::string> names = ThreadNames();
  EXPECT_GE(names.count("otel-bsp"), 1u);
  EXPECT_GE(names.count("otel-export"), 1u);
}

TEST(BatchSpanProcessor, ExportsWhenBatchSizeReachedWithoutWaitingForDelay) {
  Bsp b({.max_queue_size = 64, .schedule_delay = 3600s, .max_export_batch_size = 4});
  for (int i = 0; i < 4; ++i) b.bsp->OnEnd(MakeSpan());
  std::unique_lock lock(b.state->mu);
  ASSERT_TRUE(b.state->cv.wait_for(lock, 5s, [&] { return b.state->total == 4; }));
  EXPECT_EQ(b.state->batch_sizes, std::vector<size_t>{4});
}

TEST(BatchSpanProcessor, ExportsAfterScheduleDelay) {
  Bsp b({.schedule_delay = 20ms});
  b.bsp->OnEnd(MakeSpan());
  std::unique_lock lock(b.state->mu);
  ASSERT_TRUE(b.state->cv.wait_for(lock, 5s, [&] { return b.state->total == 1; }));
}

TEST(BatchSpanProcessor, DropsWhenQueueFullAndNeverBlocks) {
  Bsp b({.max_queue_size = 4, .schedule_delay = 3600s, .max_export_batch_size = 4});
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = true;  // the exporter hangs
  }
  for (int i = 0; i < 4; ++i) b.bsp->OnEnd(MakeSpan());  // first batch goes to the (blocked) exporter
  {
    std::unique_lock lock(b.state->mu);
    ASSERT_TRUE(b.state->cv.wait_for(lock, 5s, [&] { return b.state->in_flight == 1; }));
  }
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) b.bsp->OnEnd(MakeSpan());  // 4 fit, 6 are dropped
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(b.bsp->dropped_spans(), 6u);
  EXPECT_EQ(b.health->Snapshot().spans_dropped, 6u);
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = false;
  }
  b.state->cv.notify_all();
  ASSERT_TRUE(b.bsp->ForceFlush(5s));
  EXPECT_EQ(b.state->total, 8u);
}

TEST(BatchSpanProcessor, ForceFlushExportsEverythingInBatchesThenFlushesExporter) {
  Bsp b({.max_queue_size = 100, .schedule_delay = 3600s, .max_export_batch_size = 10});
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = true;
  }
  for (int i = 0; i < 10; ++i) b.bsp->OnEnd(MakeSpan());  // triggers a batch that blocks
  {
    std::unique_lock lock(b.state->mu);
    ASSERT_TRUE(b.state->cv.wait_for(lock, 5s, [&] { return b.state->in_flight == 1; }));
  }
  for (int i = 0; i < 25; ++i) b.bsp->OnEnd(MakeSpan());
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = false;
  }
  b.state->cv.notify_all();
  ASSERT_TRUE(b.bsp->ForceFlush(5s));
  std::lock_guard lock(b.state->mu);
  EXPECT_EQ(b.state->total, 35u);
  for (size_t n : b.state->batch_sizes) EXPECT_LE(n, 10u);
  EXPECT_FALSE(b.state->overlapped);
  EXPECT_GE(b.state->force_flushes, 1);
}

TEST(BatchSpanProcessor, EmptyQueueSkipsExport) {
  Bsp b({.schedule_delay = 3600s});
  ASSERT_TRUE(b.bsp->ForceFlush(5s));
  EXPECT_TRUE(b.state->batch_sizes.empty());
}

TEST(BatchSpanProcessor, ForceFlushHonoursItsTimeout) {
  Bsp b({.schedule_delay = 3600s});
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = true;
  }
  b.bsp->OnEnd(MakeSpan());
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(b.bsp->ForceFlush(50ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = false;
  }
  b.state->cv.notify_all();
}

TEST(BatchSpanProcessor, ExportFailuresAreCounted) {
  Bsp b({.schedule_delay = 3600s});
  b.state->fail = true;
  b.bsp->OnEnd(MakeSpan());
  b.bsp->OnEnd(MakeSpan());
  EXPECT_FALSE(b.bsp->ForceFlush(5s));
  TracingHealth h = b.health->Snapshot();
  EXPECT_EQ(h.exports_failed, 1u);
  EXPECT_EQ(h.spans_failed, 2u);
  EXPECT_EQ(h.exporter_state, ExporterState::kFailing);
  b.state->fail = false;
  b.bsp->OnEnd(MakeSpan());
  EXPECT_TRUE(b.bsp->ForceFlush(5s));
  EXPECT_EQ(b.health->Snapshot().exporter_state, ExporterState::kOk);
}

TEST(BatchSpanProcessor, ShutdownFlushesIsIdempotentAndIgnoresLaterSpans) {
  Bsp b({.schedule_delay = 3600s});
  b.bsp->OnEnd(MakeSpan());
  EXPECT_TRUE(b.bsp->Shutdown(5s));
  EXPECT_TRUE(b.bsp->Shutdown(5s));
  EXPECT_EQ(b.state->total, 1u);
  EXPECT_TRUE(b.state->shut_down);
  b.bsp->OnEnd(MakeSpan());
  EXPECT_FALSE(b.bsp->ForceFlush(1s));
  EXPECT_EQ(b.state->total, 1u);
}

// The export timeout is the processor's outer guard: an exporter that hangs
// (here: until the test opens its gate) is abandoned after export_timeout, its
// batch counts as a failed export, and the processor carries on.
TEST(BatchSpanProcessor, AbandonsAnExportThatOutlivesTheExportTimeout) {
  Bsp b({.max_queue_size = 16, .schedule_delay = 3600s, .max_export_batch_size = 2,
         .export_timeout = 100ms});
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = true;
  }
  b.bsp->OnEnd(MakeSpan());
  b.bsp->OnEnd(MakeSpan());  // a full batch: the worker starts the export, which hangs
  {
    std::unique_lock lock(b.state->mu);
    ASSERT_TRUE(b.state->cv.wait_for(lock, 5s, [&] { return b.state->in_flight == 1; }));
  }
  // The flush is served after the hung export was given up (~100 ms), not 10 s.
  auto start = std::chrono::steady_clock::now();
  (void)b.bsp->ForceFlush(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  TracingHealth h = b.health->Snapshot();
  EXPECT_EQ(h.exports_failed, 1u);
  EXPECT_EQ(h.spans_failed, 2u);
  EXPECT_EQ(h.spans_exported, 0u);
  EXPECT_EQ(h.exporter_state, ExporterState::kFailing);
  EXPECT_NE(h.last_error.find("export timeout"), std::string::npos) << h.last_error;
  {
    std::lock_guard lock(b.state->mu);
    EXPECT_EQ(b.state->in_flight, 1);  // still hanging, abandoned
  }

  // While the abandoned export runs, no second export starts: batches are
  // dropped and counted, the queue does not fill up, and flushes answer at once.
  for (int i = 0; i < 3; ++i) b.bsp->OnEnd(MakeSpan());
  start = std::chrono::steady_clock::now();
  EXPECT_FALSE(b.bsp->ForceFlush(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(b.bsp->dropped_spans(), 3u);
  EXPECT_EQ(b.bsp->queued_spans(), 0u);
  h = b.health->Snapshot();
  EXPECT_EQ(h.spans_dropped, 3u);
  EXPECT_EQ(h.exports_failed, 1u);
  EXPECT_FALSE(b.bsp->WaitForAbandonedExport(0ms));

  // The hung call returns: the next batch is exported as usual.
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = false;
  }
  b.state->cv.notify_all();
  ASSERT_TRUE(b.bsp->WaitForAbandonedExport(10s));
  b.bsp->OnEnd(MakeSpan());
  b.bsp->OnEnd(MakeSpan());
  ASSERT_TRUE(b.bsp->ForceFlush(10s));
  h = b.health->Snapshot();
  EXPECT_EQ(h.spans_exported, 2u);  // the abandoned batch is not counted twice
  EXPECT_EQ(h.spans_failed, 2u);
  EXPECT_EQ(h.exporter_state, ExporterState::kOk);
  std::lock_guard lock(b.state->mu);
  EXPECT_EQ(b.state->batch_sizes, (std::vector<size_t>{2, 2}));  // the abandoned one finished, then one more
  EXPECT_FALSE(b.state->overlapped);
}

TEST(BatchSpanProcessor, ZeroExportTimeoutWaitsForTheExporter) {
  Bsp b({.schedule_delay = 3600s, .export_timeout = 0ms});
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = true;
  }
  b.bsp->OnEnd(MakeSpan());
  EXPECT_FALSE(b.bsp->ForceFlush(50ms));  // the caller's deadline, not an abandoned export
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = false;
  }
  b.state->cv.notify_all();
  ASSERT_TRUE(b.bsp->ForceFlush(10s));
  TracingHealth h = b.health->Snapshot();
  EXPECT_EQ(h.exports_failed, 0u);
  EXPECT_EQ(h.spans_exported, 1u);
}

// Shutdown returns by its deadline even when the exporter hangs and ignores
// its own Shutdown; the hung call finishes later on its own thread.
TEST(BatchSpanProcessor, ShutdownHonoursItsDeadlineWhileAnExportHangs) {
  Bsp b({.max_queue_size = 16, .schedule_delay = 3600s, .max_export_batch_size = 2});
  {
    std::lock_guard lock(b.state->mu);
    b.state->block = true;
  }
  b.bsp->OnEnd(MakeSpan());
  b.bsp->OnEnd(MakeSpan());  // a full batch: the worker starts the (hanging) export
  {
    std::unique_lock lock(b.state->mu);
    ASSERT_TRUE(b.state->cv.wait_for(lock, 5s, [&] { return b.state->in_flight == 1; }));
  }
  b.bsp->OnEnd(MakeSpan());  // queued behind it
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(b.bsp->Shutdown(100ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  TracingHealth h = b.health->Snapshot();
  EXPECT_EQ(h.exports_failed, 1u);  // the hanging batch
  EXPECT_EQ(h.spans_failed, 2u);
  EXPECT_EQ(h.spans_dropped, 1u);   // the one left behind at the deadline
  {
    std::lock_guard lock(b.state->mu);
    EXPECT_TRUE(b.state->shut_down);
    b.state->block = false;
  }
  b.state->cv.notify_all();
  EXPECT_TRUE(b.bsp->WaitForAbandonedExport(10s));
  std::lock_guard lock(b.state->mu);
  EXPECT_EQ(b.state->total, 2u);
  EXPECT_FALSE(b.state->overlapped);
}

TEST(BatchSpanProcessor, ManyProducersLoseNothingWhenQueueIsLargeEnough) {
  Bsp b({.max_queue_size = 1 << 16, .schedule_delay = 5ms, .max_export_batch_size = 256});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) b.bsp->OnEnd(MakeSpan());
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(b.bsp->ForceFlush(10s));
  EXPECT_EQ(b.state->total, 20000u);
  EXPECT_FALSE(b.state->overlapped);
}

}  // namespace
}  // namespace aura::telemetry::sdk
