#include "telemetry/sdk/batch_span_processor.h"

#include <algorithm>

#include "common/log/log.h"
#include "telemetry/sdk/span_data_pool.h"

namespace aura::telemetry::sdk {
namespace {
size_t RoundUpPow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       BatchSpanProcessorOptions options)
    : options_(std::move(options)), exporter_(std::move(exporter)), health_(options_.health) {
  if (options_.max_queue_size == 0) options_.max_queue_size = 2048;
  if (options_.max_export_batch_size == 0) options_.max_export_batch_size = 512;
  options_.max_export_batch_size = std::min(options_.max_export_batch_size, options_.max_queue_size);
  if (health_ == nullptr) health_ = std::make_shared<PipelineHealth>();
  size_t capacity = RoundUpPow2(std::max<size_t>(options_.max_queue_size, 2));
  cells_ = std::make_unique<Cell[]>(capacity);
  for (size_t i = 0; i < capacity; ++i) {
    cells_[i].sequence.store(i, std::memory_order_relaxed);
    cells_[i].span = nullptr;
  }
  mask_ = capacity - 1;
  worker_ = std::jthread([this](std::stop_token st) { Run(st); });
}

BatchSpanProcessor::~BatchSpanProcessor() { Shutdown(options_.export_timeout); }

bool BatchSpanProcessor::TryPush(SpanData* span) noexcept {
  size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
  while (true) {
    Cell& cell = cells_[pos & mask_];
    size_t seq = cell.sequence.load(std::memory_order_acquire);
    intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
    if (diff == 0) {
      if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        cell.span = span;
        cell.sequence.store(pos + 1, std::memory_order_release);
        return true;
      }
    } else if (diff < 0) {
      return false;  // full
    } else {
      pos = enqueue_pos_.load(std::memory_order_relaxed);
    }
  }
}

SpanData* BatchSpanProcessor::TryPop() noexcept {
  size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
  while (true) {
    Cell& cell = cells_[pos & mask_];
    size_t seq = cell.sequence.load(std::memory_order_acquire);
    intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1);
    if (diff == 0) {
      if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        SpanData* span = cell.span;
        cell.sequence.store(pos + mask_ + 1, std::memory_order_release);
        return span;
      }
    } else if (diff < 0) {
      return nullptr;  // empty
    } else {
      pos = dequeue_pos_.load(std::memory_order_relaxed);
    }
  }
}

void BatchSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  if (span == nullptr || !span->context.IsSampled()) return;  // RECORD_ONLY never exported
  auto drop = [&] {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    health_->RecordDropped(1);
    // At most one line per burst: a burst ends when a log line is 10 s old.
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now().time_since_epoch()).count();
    int64_t last = last_drop_log_s_.load(std::memory_order_relaxed);
    if (now - last >= 10 && last_drop_log_s_.compare_exchange_strong(last, now)) {
      AURA_LOG_WARNING("telemetry.spans_dropped")
          .With("reason", shutdown_.load() ? "shutdown" : "queue_full")
          .With("max_queue_size", static_cast<int64_t>(options_.max_queue_size));
    }
  };
  if (shutdown_.load(std::memory_order_acquire)) return drop();
  size_t previous = size_.fetch_add(1, std::memory_order_acq_rel);
  if (previous >= options_.max_queue_size) {
    size_.fetch_sub(1, std::memory_order_acq_rel);
    return drop();
  }
  SpanData* raw = span.release();
  if (!TryPush(raw)) {
    size_.fetch_sub(1, std::memory_order_acq_rel);
    delete raw;  // NOLINT: ownership came from the unique_ptr above
    return drop();
  }
  if (previous + 1 == options_.max_export_batch_size) {
    {
      std::lock_guard lock(mu_);
      wake_ = true;
    }
    cv_.notify_one();
  }
}

bool BatchSpanProcessor::ExportQueued(bool drain) {
  bool ok = true;
  std::vector<std::unique_ptr<SpanData>> batch;
  batch.reserve(options_.max_export_batch_size);
  while (true) {
    if (!drain && size_.load(std::memory_order_acquire) < options_.max_export_batch_size &&
        !batch.empty()) {
      break;
    }
    batch.clear();
    while (batch.size() < options_.max_export_batch_size) {
      SpanData* s = TryPop();
      if (s == nullptr) break;
      size_.fetch_sub(1, std::memory_order_acq_rel);
      batch.emplace_back(s);
    }
    if (batch.empty()) break;
    auto started = std::chrono::steady_clock::now();
    ExportResult result = exporter_->Export(batch);
    auto took = std::chrono::steady_clock::now() - started;
    if (result == ExportResult::kSuccess && took <= options_.export_timeout) {
      health_->RecordExportSuccess(batch.size());
    } else {
      ok = false;
      health_->RecordExportFailure(batch.size(), result == ExportResult::kSuccess
                                                     ? "export exceeded the BSP export timeout"
                                                     : "");
    }
    for (auto& s : batch) RecycleSpanData(std::move(s));
    if (!drain && size_.load(std::memory_order_acquire) < options_.max_export_batch_size) break;
  }
  return ok;
}

void BatchSpanProcessor::Run(std::stop_token stop) {
  auto next = std::chrono::steady_clock::now() + options_.schedule_delay;
  while (true) {
    uint64_t flush_ticket = 0;
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next, [&] {
        return wake_ || stop.stop_requested() || flush_requested_ > flush_done_ ||
               size_.load(std::memory_order_acquire) >= options_.max_export_batch_size;
      });
      wake_ = false;
      flush_ticket = flush_requested_;
      stopping = stop.stop_requested();
    }
    bool flushing = stopping || flush_ticket > flush_done_;
    bool timer = std::chrono::steady_clock::now() >= next;
    bool ok = true;
    if (flushing || timer) {
      ok = ExportQueued(/*drain=*/true);
      next = std::chrono::steady_clock::now() + options_.schedule_delay;
    } else if (size_.load(std::memory_order_acquire) >= options_.max_export_batch_size) {
      ok = ExportQueued(/*drain=*/false);
    }
    if (flushing) {
      ok = exporter_->ForceFlush(options_.export_timeout) && ok;
      std::lock_guard lock(mu_);
      flush_done_ = std::max(flush_done_, flush_ticket);
      last_flush_ok_ = ok;
      done_cv_.notify_all();
    }
    if (stopping) break;
  }
  std::lock_guard lock(mu_);
  stopped_ = true;
  done_cv_.notify_all();
}

bool BatchSpanProcessor::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  if (shutdown_.load(std::memory_order_acquire)) return false;
  std::unique_lock lock(mu_);
  uint64_t ticket = ++flush_requested_;
  cv_.notify_one();
  bool done = done_cv_.wait_for(lock, timeout, [&] { return flush_done_ >= ticket || stopped_; });
  return done && flush_done_ >= ticket && last_flush_ok_;
}

bool BatchSpanProcessor::Shutdown(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard shutdown_lock(shutdown_mu_);
  if (shutdown_.exchange(true, std::memory_order_acq_rel)) return true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ok = true;
  {
    std::unique_lock lock(mu_);
    worker_.request_stop();
    cv_.notify_one();
    ok = done_cv_.wait_until(lock, deadline, [&] { return stopped_; });
  }
  // Out of time: shutting the exporter down interrupts its retry waits, so the
  // join below only waits for one attempt (bounded by the exporter's timeout).
  if (!ok) exporter_->Shutdown(std::chrono::milliseconds(0));
  if (worker_.joinable()) worker_.join();
  // Spans that raced with shutdown.
  while (SpanData* s = TryPop()) {
    size_.fetch_sub(1, std::memory_order_acq_rel);
    delete s;  // NOLINT: owned by the queue
    health_->RecordDropped(1);
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  ok = exporter_->Shutdown(std::max(left, std::chrono::milliseconds(0))) && ok;
  return ok;
}

}  // namespace aura::telemetry::sdk
