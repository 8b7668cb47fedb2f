// File: telemetry/api/context.h
//
// Context: what travels with a unit of work — the active span's SpanContext and
// the Baggage. Each thread has a current context; Scope objects make a span or a
// captured Context current and restore the previous one when they end.
//
// Same thread (nesting is automatic; ScopedSpan does this for you):
//   telemetry::Span span = tracer.StartSpan("search.embed");
//   telemetry::Scope scope(span);          // children of this thread now nest under span
//
// Across threads and callbacks, capture explicitly and attach on the other side:
//   telemetry::Context ctx = telemetry::Context::Current();
//   pool.Post([ctx] {
//     telemetry::Scope scope(ctx);          // spans started here are children
//     auto span = tracer.StartScopedSpan("db.query");
//   });
//
// Business code adds to the span its middleware started:
//   telemetry::CurrentSpan().SetAttribute("aura.outcome", "accepted");
//
// Thread-safety: Context is a value (thread-compatible); Scope is bound to the
// thread that created it and must be destroyed there, in reverse order of
// creation, before the span or Context it refers to.
#pragma once

#include <utility>

#include "telemetry/api/baggage.h"
#include "telemetry/api/span.h"
#include "telemetry/api/span_context.h"

namespace aura::telemetry {

namespace internal {
// The current context of a thread: pointers into the objects the active Scopes
// refer to, so activation costs no copies.
struct ActiveContext {
  const SpanContext* span_context = nullptr;
  SpanRecorder* recorder = nullptr;
  const Baggage* baggage = nullptr;
};
inline thread_local ActiveContext g_active_context;
}  // namespace internal

// A captured context: copy it to where the work continues.
struct Context {
  SpanContext span_context;
  Baggage baggage;

  // A copy of this thread's current context (span context and baggage).
  static Context Current() {
    const internal::ActiveContext& a = internal::g_active_context;
    Context c;
    if (a.span_context != nullptr) c.span_context = *a.span_context;
    if (a.baggage != nullptr) c.baggage = *a.baggage;
    return c;
  }
  // This context with another span context or baggage.
  Context WithSpanContext(SpanContext sc) const {
    Context c = *this;
    c.span_context = std::move(sc);
    return c;
  }
  Context WithBaggage(Baggage b) const {
    Context c = *this;
    c.baggage = std::move(b);
    return c;
  }
  friend bool operator==(const Context&, const Context&) = default;
};

// Makes a span or a context current on this thread until destroyed.
// Neither copyable nor movable: keep it as a local variable.
class Scope {
 public:
  // The span becomes the parent of spans started on this thread; baggage stays.
  explicit Scope(Span& span) noexcept : previous_(internal::g_active_context) {
    internal::g_active_context.span_context = &span.context();
    internal::g_active_context.recorder = span.recorder();
  }
  // Attaches a captured context (for work that moved threads). CurrentSpan()
  // then has no recorder: start a child span to record work.
  explicit Scope(const Context& context) noexcept : previous_(internal::g_active_context) {
    internal::g_active_context.span_context = &context.span_context;
    internal::g_active_context.recorder = nullptr;
    internal::g_active_context.baggage = &context.baggage;
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope() { internal::g_active_context = previous_; }

 private:
  internal::ActiveContext previous_;
};

// The span current on this thread (a no-op view when there is none or when the
// current context was attached from another thread).
inline SpanRef CurrentSpan() noexcept {
  const internal::ActiveContext& a = internal::g_active_context;
  return SpanRef(a.span_context, a.recorder);
}

// The current span's context, or nullptr when none is active (no copy).
inline const SpanContext* CurrentSpanContext() noexcept {
  return internal::g_active_context.span_context;
}

}  // namespace aura::telemetry
