// File: telemetry/api/tracer.h
//
// Tracer: starts spans. Get one per component (once, e.g. as a member) from
// the global provider; until a provider is installed (and when the SDK is
// disabled) every span is a cheap no-op that still propagates its parent's
// context. A Tracer obtained before InstallTracing() picks up the installed
// provider on its next span, so construction order does not matter.
//
//   class PricingService {
//     telemetry::Tracer tracer_ = telemetry::GetTracer("aura.core.pricing");
//     Result<Quote> Decide(const Bid& bid) {
//       auto span = tracer_.StartScopedSpan("pricing.decide");   // current + ends at scope exit
//       span.SetAttribute("aura.item_id", bid.item_id);
//       ...
//     }
//   };
//
//   // A server span continuing a remote trace (see propagator.h):
//   telemetry::Context parent = telemetry::ExtractContext(carrier);
//   auto span = tracer.StartScopedSpan("POST /v1/negotiate",
//                                      {.kind = telemetry::SpanKind::kServer,
//                                       .parent = &parent.span_context});
//
// Thread-safety: Tracer is thread-safe (share one per component).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "telemetry/api/context.h"
#include "telemetry/api/span.h"

namespace aura::telemetry {

struct SpanOptions {
  SpanKind kind = SpanKind::kInternal;
  // Explicit parent (e.g. extracted from a request); nullptr = the span current
  // on this thread. An invalid parent context starts a new trace.
  const SpanContext* parent = nullptr;
  // Start a new trace even when a span is current.
  bool new_root = false;
  // Default (epoch) = now.
  SystemTime start_time{};
};

// The SDK side of a tracer. Implementations are thread-safe.
class TracerBackend {
 public:
  TracerBackend() = default;
  TracerBackend(const TracerBackend&) = delete;
  TracerBackend& operator=(const TracerBackend&) = delete;
  virtual ~TracerBackend() = default;
  // `parent` is resolved by the caller (nullptr = root). Never fails.
  virtual Span StartSpan(std::string_view name, const SpanContext* parent,
                         const SpanOptions& options) noexcept = 0;
};

namespace internal {
struct TracerBinding {
  uint64_t generation;
  std::shared_ptr<TracerBackend> backend;
};
// Bumped every time a provider is installed.
inline std::atomic<uint64_t> g_provider_generation{1};
// Resolves (name, version) against the installed provider; the result lives
// until the process exits (one per name and provider installation).
const TracerBinding* BindTracer(const std::string& name, const std::string& version) noexcept;
}  // namespace internal

// A span that is also current on this thread for its lifetime (Span + Scope).
// Neither copyable nor movable: `auto span = tracer.StartScopedSpan(...)`.
class ScopedSpan : public internal::SpanMutators<ScopedSpan> {
 public:
  explicit ScopedSpan(Span span) noexcept : span_(std::move(span)), scope_(span_) {}
  ScopedSpan(const ScopedSpan&) = delete;
  ScopedSpan& operator=(const ScopedSpan&) = delete;

  const SpanContext& context() const noexcept { return span_.context(); }
  void End(SystemTime end_time = {}) noexcept { span_.End(end_time); }
  SpanRecorder* recorder() noexcept { return span_.recorder(); }
  Span& span() noexcept { return span_; }

 private:
  Span span_;
  Scope scope_;  // declared last: leaves the thread's context before the span ends
};

class Tracer {
 public:
  // A tracer bound to the global provider under `name` (e.g. "aura.gateway").
  explicit Tracer(std::string name = "aura", std::string version = {})
      : name_(std::move(name)), version_(std::move(version)) {}
  // A tracer bound to one backend (tests, or a provider that is not global).
  explicit Tracer(std::shared_ptr<TracerBackend> backend) : fixed_(std::move(backend)) {}
  Tracer(const Tracer& o) : name_(o.name_), version_(o.version_), fixed_(o.fixed_) {}
  Tracer& operator=(const Tracer& o) {
    name_ = o.name_;
    version_ = o.version_;
    fixed_ = o.fixed_;
    binding_.store(nullptr, std::memory_order_relaxed);
    return *this;
  }

  // Starts a span (not made current: wrap it in a Scope or use StartScopedSpan).
  Span StartSpan(std::string_view name, const SpanOptions& options = {}) const noexcept {
    const SpanContext* parent = options.parent;
    if (parent == nullptr && !options.new_root) parent = internal::g_active_context.span_context;
    if (parent != nullptr && !parent->IsValid()) parent = nullptr;
    return Backend()->StartSpan(name, parent, options);
  }
  ScopedSpan StartScopedSpan(std::string_view name, const SpanOptions& options = {}) const noexcept {
    return ScopedSpan(StartSpan(name, options));
  }

 private:
  TracerBackend* Backend() const noexcept {
    if (fixed_ != nullptr) return fixed_.get();
    const internal::TracerBinding* b = binding_.load(std::memory_order_acquire);
    if (b == nullptr ||
        b->generation != internal::g_provider_generation.load(std::memory_order_acquire)) {
      b = internal::BindTracer(name_, version_);
      binding_.store(b, std::memory_order_release);
    }
    return b->backend.get();
  }

  std::string name_;
  std::string version_;
  std::shared_ptr<TracerBackend> fixed_;
  mutable std::atomic<const internal::TracerBinding*> binding_{nullptr};
};

}  // namespace aura::telemetry
