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
// the exporter's job. An export that takes longer than export_timeout is counted
// as failed (exporters bound their own duration with their timeout).
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
  std::chrono::milliseconds export_timeout{30000};  // OTEL_BSP_EXPORT_TIMEOUT
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

  // Spans dropped because the queue was full (or after shutdown).
  uint64_t dropped_spans() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  size_t queued_spans() const noexcept { return size_.load(std::memory_order_relaxed); }
  const BatchSpanProcessorOptions& options() const noexcept { return options_; }

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

  BatchSpanProcessorOptions options_;
  std::unique_ptr<SpanExporter> exporter_;
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
  std::mutex shutdown_mu_;
  std::jthread worker_;
};

}  // namespace aura::telemetry::sdk
