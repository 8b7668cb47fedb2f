// File: telemetry/sdk/batch_span_processor.h
//
// BatchSpanProcessor: queues ended, sampled spans in a bounded lock-free queue
// and exports them in batches from its own thread. The request path never
// blocks and never waits for the exporter: when the queue is full the span is
// dropped and counted.
//
//   auto bsp = std::make_unique<BatchSpanProcessor>(std::move(exporter),
//       BatchSpanProcessorOptions{.schedule_delay = std::chrono::milliseconds(1000)});
//
// Export triggers: schedule_delay elapsed since the last export, max_export_batch_size
// spans queued, ForceFlush, Shutdown. Exports are strictly sequential; each carries
// at most max_export_batch_size spans; an empty queue exports nothing. Retries are
// the exporter's job.
//
// Export timeout (the outer guard; OTLP exporters also bound themselves with
// OTEL_EXPORTER_OTLP_TIMEOUT): Export runs on a helper thread of the processor,
// and the worker waits for it at most export_timeout (0 = no limit). An export
// still running then is abandoned: its batch counts as one failed export
// (exports_failed + 1, spans_failed + batch size) and the worker carries on.
// Since exports never overlap, at most one abandoned export can be running;
// while it is, batches the worker takes from the queue are dropped and counted
// (spans_dropped) instead of piling up threads or memory. When it returns the
// next batch is exported as usual. Memory stays bounded by the queue plus one
// batch.
//
// ForceFlush and Shutdown return by their deadline whatever the exporter does.
// Shutdown also abandons an export still running at its deadline, drops what
// is left in the queue (counted), and shuts the exporter down (the OTLP
// exporters then cancel a call in flight). A call that even that does not end
// is left to finish on its own thread, which keeps the exporter alive until
// then.
//
// Its two threads are named `otel-bsp` (the worker that takes batches from the
// queue) and `otel-export` (the one that runs Export), as /proc and `top -H`
// show them.
//
// Thread-safe. Shutdown (also run by the destructor) drains the queue, stops
// the worker and shuts the exporter down; it is idempotent.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "telemetry/sdk/pipeline_health.h"
#include "telemetry/sdk/span_exporter.h"
#include "telemetry/sdk/span_processor.h"

namespace aura::telemetry::sdk {

struct BatchSpanProcessorOptions {
  size_t max_queue_size = 2048;                     // OTEL_BSP_MAX_QUEUE_SIZE
  std::chrono::milliseconds schedule_delay{5000};   // OTEL_BSP_SCHEDULE_DELAY
  size_t max_export_batch_size = 512;               // OTEL_BSP_MAX_EXPORT_BATCH_SIZE (clamped to the queue)
  std::chrono::milliseconds export_timeout{30000};  // OTEL_BSP_EXPORT_TIMEOUT; 0 = no limit
  // Where counters go; nullptr = a private PipelineHealth.
  std::shared_ptr<PipelineHealth> health;
};

class BatchSpanProcessor final : public SpanProcessor {
 public:
  BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter, BatchSpanProcessorOptions options = {});
  ~BatchSpanProcessor() override;

  void OnEnd(std::unique_ptr<SpanData> span) noexcept override;
  bool ForceFlush(std::chrono::milliseconds timeout) noexcept override;
  bool Shutdown(std::chrono::milliseconds timeout) noexcept override;

  // Spans dropped because the queue was full, after shutdown, or while an
  // abandoned export was still running.
  uint64_t dropped_spans() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  size_t queued_spans() const noexcept { return size_.load(std::memory_order_relaxed); }
  const BatchSpanProcessorOptions& options() const noexcept { return options_; }
  // Waits until no abandoned export is running any more (the exporter is free
  // again); false when `timeout` passes first.
  bool WaitForAbandonedExport(std::chrono::milliseconds timeout) const noexcept;
  bool ExportStillRunning() const noexcept override;

 private:
  // Bounded multi-producer queue (Vyukov's sequence-numbered ring).
  struct Cell {
    std::atomic<size_t> sequence;
    SpanData* span;
  };
  bool TryPush(SpanData* span) noexcept;
  SpanData* TryPop() noexcept;
  void Run(std::stop_token stop);
  // Exports queued spans; all of them when `drain`, else while >= one batch.
  bool ExportQueued(bool drain);
  void DropSpans(size_t n, const char* reason) noexcept;

  class ExportRunner;  // runs Export on its own thread (batch_span_processor.cc)

  BatchSpanProcessorOptions options_;
  std::shared_ptr<SpanExporter> exporter_;  // shared with runner_'s thread
  std::shared_ptr<ExportRunner> runner_;
  std::shared_ptr<PipelineHealth> health_;

  std::unique_ptr<Cell[]> cells_;
  size_t mask_;
  alignas(64) std::atomic<size_t> enqueue_pos_{0};
  alignas(64) std::atomic<size_t> dequeue_pos_{0};
  alignas(64) std::atomic<size_t> size_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<int64_t> last_drop_log_s_{-1000};
  std::atomic<bool> shutdown_{false};

  std::mutex mu_;
  std::condition_variable cv_;       // wakes the worker
  std::condition_variable done_cv_;  // wakes ForceFlush/Shutdown callers
  bool wake_ = false;                // guarded by mu_
  uint64_t flush_requested_ = 0;     // guarded by mu_
  uint64_t flush_done_ = 0;          // guarded by mu_
  bool last_flush_ok_ = true;        // guarded by mu_
  bool stopped_ = false;             // guarded by mu_
  std::chrono::steady_clock::time_point stop_deadline_;  // Shutdown's deadline; guarded by mu_
  std::mutex shutdown_mu_;
  std::jthread worker_;
};

}  // namespace aura::telemetry::sdk
