#include "telemetry/sdk/batch_span_processor.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/log/log.h"
#include "common/thread_name.h"
#include "telemetry/sdk/span_data_pool.h"

namespace aura::telemetry::sdk {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Stands for "no limit" where a deadline is needed (far, but no overflow).
constexpr std::chrono::hours kNoLimit{24 * 365};

size_t RoundUpPow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

void Recycle(std::vector<std::unique_ptr<SpanData>>& batch) noexcept {
  for (auto& s : batch) RecycleSpanData(std::move(s));
  batch.clear();
}

}  // namespace

// ExportRunner: calls SpanExporter::Export on a thread of its own, one call at
// a time, so that the worker can stop waiting for a call that hangs. The
// runner and the exporter are shared with that thread: a call abandoned by
// the processor finishes safely even after the processor is gone.
//
// Thread-safe: Export and SetCutoff are called by the worker, Stop by Shutdown.
class BatchSpanProcessor::ExportRunner {
 public:
  enum class Outcome {
    kSuccess,
    kFailure,
    kTimedOut,      // still running at the deadline: abandoned (or never started)
    kBusy,          // an abandoned call is still running: nothing was exported
    kPastCutoff,    // Shutdown's deadline has passed: nothing was exported
  };

  explicit ExportRunner(std::shared_ptr<SpanExporter> exporter) : exporter_(std::move(exporter)) {}

  static void Start(const std::shared_ptr<ExportRunner>& self) {
    self->thread_ = std::thread([self] { self->Loop(); });
  }

  // Hands `batch` to the exporter and waits for the result until `deadline`
  // (or the cutoff, whichever is earlier). On kTimedOut after the call began,
  // the runner keeps the batch and frees it when the call returns; otherwise
  // `batch` is given back to the caller.
  Outcome Export(std::vector<std::unique_ptr<SpanData>>& batch, SteadyClock::time_point deadline) {
    std::unique_lock lock(mu_);
    if (running_) return Outcome::kBusy;
    if (SteadyClock::now() >= cutoff_) return Outcome::kPastCutoff;
    job_ = std::move(batch);
    job_ready_ = true;
    done_ = false;
    cv_.notify_all();
    while (!done_) {
      const auto limit = std::min(deadline, cutoff_);
      if (cv_.wait_until(lock, limit) == std::cv_status::timeout && !done_ &&
          SteadyClock::now() >= std::min(deadline, cutoff_)) {
        break;
      }
    }
    if (done_) {
      done_ = false;
      batch = std::move(job_);
      job_.clear();
      return result_ == ExportResult::kSuccess ? Outcome::kSuccess : Outcome::kFailure;
    }
    if (job_ready_) {  // the thread never picked it up
      job_ready_ = false;
      batch = std::move(job_);
      job_.clear();
      return Outcome::kTimedOut;
    }
    abandoned_ = true;
    batch.clear();
    return Outcome::kTimedOut;
  }

  // From now on waits end at `cutoff` and no new call starts after it.
  void SetCutoff(SteadyClock::time_point cutoff) {
    {
      std::lock_guard lock(mu_);
      cutoff_ = std::min(cutoff_, cutoff);
    }
    cv_.notify_all();
  }

  // A call is running, or handed over and about to run.
  bool Running() {
    std::lock_guard lock(mu_);
    return running_ || job_ready_;
  }

  bool WaitForAbandoned(SteadyClock::time_point deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return !abandoned_; });
  }

  // Stops the thread: joins it when no call is running by `deadline`, else
  // detaches it to finish the abandoned call on its own. Returns true when joined.
  bool Stop(SteadyClock::time_point deadline) {
    std::unique_lock lock(mu_);
    stop_ = true;
    cv_.notify_all();
    bool idle = cv_.wait_until(lock, deadline, [&] { return !running_ && !job_ready_; });
    lock.unlock();
    if (!thread_.joinable()) return true;
    if (idle) {
      thread_.join();
    } else {
      thread_.detach();
    }
    return idle;
  }

 private:
  void Loop() {
    common::SetCurrentThreadName("otel-export");
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return job_ready_ || stop_; });
      if (!job_ready_) return;
      std::vector<std::unique_ptr<SpanData>> batch = std::move(job_);
      job_.clear();
      job_ready_ = false;
      running_ = true;
      lock.unlock();
      const ExportResult result = exporter_->Export(batch);
      lock.lock();
      running_ = false;
      if (abandoned_) {
        abandoned_ = false;
        lock.unlock();
        Recycle(batch);  // counted as failed when it was abandoned
        lock.lock();
      } else {
        job_ = std::move(batch);
        result_ = result;
        done_ = true;
      }
      cv_.notify_all();
    }
  }

  const std::shared_ptr<SpanExporter> exporter_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SpanData>> job_;  // guarded by mu_
  bool job_ready_ = false;                      // guarded by mu_: job_ waits for the thread
  bool running_ = false;                        // guarded by mu_: Export in progress
  bool done_ = false;                           // guarded by mu_: result_ and job_ are back
  bool abandoned_ = false;                      // guarded by mu_: nobody waits for the running call
  bool stop_ = false;                           // guarded by mu_
  ExportResult result_ = ExportResult::kSuccess;                      // guarded by mu_
  SteadyClock::time_point cutoff_ = SteadyClock::time_point::max();  // guarded by mu_
  std::thread thread_;
};

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       BatchSpanProcessorOptions options)
    : options_(std::move(options)),
      exporter_(std::move(exporter)),
      runner_(std::make_shared<ExportRunner>(exporter_)),
      health_(options_.health) {
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
  ExportRunner::Start(runner_);
  worker_ = std::jthread([this](std::stop_token st) { Run(st); });
}

BatchSpanProcessor::~BatchSpanProcessor() {
  Shutdown(options_.export_timeout.count() > 0 ? options_.export_timeout : std::chrono::milliseconds(30000));
}

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

void BatchSpanProcessor::DropSpans(size_t n, const char* reason) noexcept {
  dropped_.fetch_add(n, std::memory_order_relaxed);
  health_->RecordDropped(n);
  // At most one line per burst: a burst ends when a log line is 10 s old.
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    SteadyClock::now().time_since_epoch()).count();
  int64_t last = last_drop_log_s_.load(std::memory_order_relaxed);
  if (now - last >= 10 && last_drop_log_s_.compare_exchange_strong(last, now)) {
    AURA_LOG_WARNING("telemetry.spans_dropped")
        .With("reason", reason)
        .With("max_queue_size", static_cast<int64_t>(options_.max_queue_size));
  }
}

void BatchSpanProcessor::OnEnd(std::unique_ptr<SpanData> span) noexcept {
  if (span == nullptr || !span->context.IsSampled()) return;  // RECORD_ONLY never exported
  auto drop = [&] { DropSpans(1, shutdown_.load() ? "shutdown" : "queue_full"); };
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
      batch.emplace_back(s);
    }
    if (batch.empty()) break;
    // Once per batch rather than per span: every request thread writes this
    // counter too, and each write here would pull its cache line away from them.
    size_.fetch_sub(batch.size(), std::memory_order_acq_rel);
    const size_t n = batch.size();
    const auto deadline =
        SteadyClock::now() + (options_.export_timeout.count() > 0
                                  ? std::chrono::duration_cast<SteadyClock::duration>(options_.export_timeout)
                                  : std::chrono::duration_cast<SteadyClock::duration>(kNoLimit));
    switch (runner_->Export(batch, deadline)) {
      case ExportRunner::Outcome::kSuccess:
        health_->RecordExportSuccess(n);
        break;
      case ExportRunner::Outcome::kFailure:
        ok = false;
        health_->RecordExportFailure(n, "");
        break;
      case ExportRunner::Outcome::kTimedOut:
        ok = false;
        health_->RecordExportFailure(
            n, "export exceeded the BSP export timeout of " +
                   std::to_string(options_.export_timeout.count()) + " ms and was abandoned");
        break;
      case ExportRunner::Outcome::kBusy:
        ok = false;
        DropSpans(n, "exporter_busy");
        break;
      case ExportRunner::Outcome::kPastCutoff:
        ok = false;
        DropSpans(n, "shutdown");
        break;
    }
    Recycle(batch);
    if (!drain && size_.load(std::memory_order_acquire) < options_.max_export_batch_size) break;
  }
  return ok;
}

void BatchSpanProcessor::Run(std::stop_token stop) {
  common::SetCurrentThreadName("otel-bsp");
  auto next = SteadyClock::now() + options_.schedule_delay;
  const std::chrono::milliseconds export_limit =
      options_.export_timeout.count() > 0 ? options_.export_timeout
                                          : std::chrono::duration_cast<std::chrono::milliseconds>(kNoLimit);
  while (true) {
    uint64_t flush_ticket = 0;
    bool stopping = false;
    SteadyClock::time_point stop_deadline;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next, [&] {
        return wake_ || stop.stop_requested() || flush_requested_ > flush_done_ ||
               size_.load(std::memory_order_acquire) >= options_.max_export_batch_size;
      });
      wake_ = false;
      flush_ticket = flush_requested_;
      stopping = stop.stop_requested();
      stop_deadline = stop_deadline_;
    }
    bool flushing = stopping || flush_ticket > flush_done_;
    bool timer = SteadyClock::now() >= next;
    bool ok = true;
    if (flushing || timer) {
      ok = ExportQueued(/*drain=*/true);
      next = SteadyClock::now() + options_.schedule_delay;
    } else if (size_.load(std::memory_order_acquire) >= options_.max_export_batch_size) {
      ok = ExportQueued(/*drain=*/false);
    }
    if (flushing) {
      std::chrono::milliseconds flush_limit = export_limit;
      if (stopping) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(stop_deadline - SteadyClock::now());
        flush_limit = std::clamp(left, std::chrono::milliseconds(0), export_limit);
      }
      ok = exporter_->ForceFlush(flush_limit) && ok;
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

bool BatchSpanProcessor::WaitForAbandonedExport(std::chrono::milliseconds timeout) const noexcept {
  return runner_->WaitForAbandoned(SteadyClock::now() + std::max(timeout, std::chrono::milliseconds(0)));
}

bool BatchSpanProcessor::ExportStillRunning() const noexcept { return runner_->Running(); }

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
  const auto deadline = SteadyClock::now() + std::max(timeout, std::chrono::milliseconds(0));
  // From here on the worker stops waiting for an export at the deadline and
  // starts none after it.
  runner_->SetCutoff(deadline);
  bool ok = true;
  {
    std::unique_lock lock(mu_);
    stop_deadline_ = deadline;
    worker_.request_stop();
    cv_.notify_one();
    ok = done_cv_.wait_until(lock, deadline, [&] { return stopped_; }) && last_flush_ok_;
  }
  // Out of time (the exporter's ForceFlush is slow): shutting the exporter
  // down makes it give up, so the join below is short.
  bool worker_done = false;
  {
    std::lock_guard lock(mu_);
    worker_done = stopped_;
  }
  if (!worker_done) exporter_->Shutdown(std::chrono::milliseconds(0));
  if (worker_.joinable()) worker_.join();
  // Spans that raced with shutdown, or that the deadline left behind.
  size_t left_behind = 0;
  while (SpanData* s = TryPop()) {
    size_.fetch_sub(1, std::memory_order_acq_rel);
    delete s;  // NOLINT: owned by the queue
    ++left_behind;
  }
  if (left_behind > 0) DropSpans(left_behind, "shutdown");
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  ok = exporter_->Shutdown(std::max(left, std::chrono::milliseconds(0))) && ok;
  // An abandoned export that the exporter's Shutdown did not end keeps running
  // on the runner's (then detached) thread; the runner owns what it needs.
  ok = runner_->Stop(deadline) && ok;
  return ok;
}

}  // namespace aura::telemetry::sdk
