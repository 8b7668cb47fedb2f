// File: telemetry/api/span.h
//
// Span: the RAII handle of one timed operation. It ends when it goes out of
// scope (or at an explicit End()). A span that is not recorded (no provider
// installed, sampled out, SDK disabled) is a cheap no-op that still carries a
// SpanContext, so propagation keeps working.
//
//   telemetry::Span span = tracer.StartSpan("pricing.decide");
//   span.SetAttribute("aura.item_id", item_id)
//       .SetAttribute("aura.bid", 850.0);
//   span.AddEvent("guardrail.applied", {{"aura.rule", "floor"}});
//   if (!status.ok()) span.SetStatus(telemetry::StatusCode::kError, status.message());
//   // ends here
//
// SpanRef is a non-owning view of the span that is current on this thread
// (telemetry::CurrentSpan()), for business code that adds attributes to the
// span its caller's middleware started.
//
// Thread-safety: a Span is single-threaded (owned by one scope, like a local
// variable); different spans may be used from different threads at once.
// Every method is noexcept: telemetry never fails a request.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "telemetry/api/attribute.h"
#include "telemetry/api/span_context.h"

namespace aura::telemetry {

// OTLP numbering: INTERNAL 1 .. CONSUMER 5.
enum class SpanKind : uint8_t {
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5
};

// Span status; OTLP codes UNSET 0, OK 1, ERROR 2. Ok is final; Unset is never set.
enum class StatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

using SystemTime = std::chrono::system_clock::time_point;

// A link to another span (batch consumers, retries).
struct Link {
  SpanContext context;
  std::vector<std::pair<std::string, AttributeValue>> attributes;
};

// The recording side of a span, implemented by the SDK. Methods after End()
// are ignored. Thread-compatible: called only by the owning Span/SpanRef.
class SpanRecorder {
 public:
  SpanRecorder() = default;
  SpanRecorder(const SpanRecorder&) = delete;
  SpanRecorder& operator=(const SpanRecorder&) = delete;
  virtual ~SpanRecorder() = default;

  virtual void SetAttribute(std::string_view key, std::string_view value) noexcept = 0;
  virtual void SetAttribute(std::string_view key, AttributeValue value) noexcept = 0;
  virtual void AddEvent(std::string_view name, std::initializer_list<Attribute> attributes,
                        SystemTime time) noexcept = 0;
  virtual void AddLink(const SpanContext& context,
                       std::initializer_list<Attribute> attributes) noexcept = 0;
  virtual void SetStatus(StatusCode code, std::string_view description) noexcept = 0;
  virtual void UpdateName(std::string_view name) noexcept = 0;
  // Ends the span (once); later calls are ignored.
  virtual void End(SystemTime end_time) noexcept = 0;
  virtual bool IsEnded() const noexcept = 0;
};

namespace internal {
// The shared set of mutators of Span and SpanRef (CRTP keeps them chainable).
template <class Self>
class SpanMutators {
 public:
  Self& SetAttribute(std::string_view key, std::string_view value) noexcept {
    if (auto* r = self().recorder()) r->SetAttribute(key, value);
    return self();
  }
  Self& SetAttribute(std::string_view key, const char* value) noexcept {
    return SetAttribute(key, std::string_view(value == nullptr ? "" : value));
  }
  Self& SetAttribute(std::string_view key, const std::string& value) noexcept {
    return SetAttribute(key, std::string_view(value));
  }
  Self& SetAttribute(std::string_view key, bool value) noexcept {
    if (auto* r = self().recorder()) r->SetAttribute(key, AttributeValue(value));
    return self();
  }
  template <std::integral I>
    requires(!std::same_as<I, bool> && !std::same_as<I, char>)
  Self& SetAttribute(std::string_view key, I value) noexcept {
    if (auto* r = self().recorder()) r->SetAttribute(key, AttributeValue(static_cast<int64_t>(value)));
    return self();
  }
  template <std::floating_point F>
  Self& SetAttribute(std::string_view key, F value) noexcept {
    if (auto* r = self().recorder()) r->SetAttribute(key, AttributeValue(static_cast<double>(value)));
    return self();
  }
  // Arrays: std::vector<std::string|int64_t|double|bool>.
  template <class T>
    requires std::constructible_from<AttributeValue, std::vector<T>>
  Self& SetAttribute(std::string_view key, std::vector<T> value) noexcept {
    if (auto* r = self().recorder()) {
      try {
        r->SetAttribute(key, AttributeValue(std::move(value)));
      } catch (...) {
      }
    }
    return self();
  }

  Self& AddEvent(std::string_view name, std::initializer_list<Attribute> attributes = {},
                 SystemTime time = {}) noexcept {
    if (auto* r = self().recorder()) r->AddEvent(name, attributes, time);
    return self();
  }
  Self& AddLink(const SpanContext& context, std::initializer_list<Attribute> attributes = {}) noexcept {
    if (auto* r = self().recorder()) r->AddLink(context, attributes);
    return self();
  }
  // Unset is ignored, Ok is final, the description is kept only with Error.
  Self& SetStatus(StatusCode code, std::string_view description = {}) noexcept {
    if (auto* r = self().recorder()) r->SetStatus(code, description);
    return self();
  }
  Self& UpdateName(std::string_view name) noexcept {
    if (auto* r = self().recorder()) r->UpdateName(name);
    return self();
  }
  // Adds the `exception` event (exception.type, .message, .stacktrace). It
  // does not change the status; call SetStatus(kError) when the span failed.
  Self& RecordException(std::string_view type, std::string_view message,
                        std::string_view stacktrace = {}) noexcept {
    if (auto* r = self().recorder()) {
      if (stacktrace.empty()) {
        r->AddEvent("exception", {{"exception.type", std::string(type)},
                                  {"exception.message", std::string(message)}}, {});
      } else {
        r->AddEvent("exception", {{"exception.type", std::string(type)},
                                  {"exception.message", std::string(message)},
                                  {"exception.stacktrace", std::string(stacktrace)}}, {});
      }
    }
    return self();
  }
  Self& RecordException(const std::exception& e) noexcept {
    return RecordException(typeid(e).name(), e.what());
  }
  // True when the span records (attributes are worth computing).
  bool IsRecording() const noexcept {
    auto* r = const_cast<SpanMutators*>(this)->self().recorder();
    return r != nullptr && !r->IsEnded();
  }

 private:
  Self& self() noexcept { return static_cast<Self&>(*this); }
};
}  // namespace internal

// Move-only RAII span handle. Never null: a default-constructed Span is a
// no-op with an invalid context.
class Span : public internal::SpanMutators<Span> {
 public:
  Span() noexcept = default;
  Span(SpanContext context, std::unique_ptr<SpanRecorder> recorder) noexcept
      : context_(std::move(context)), recorder_(std::move(recorder)) {}
  Span(Span&& other) noexcept = default;
  Span& operator=(Span&& other) noexcept {
    if (this != &other) {
      End();
      context_ = std::move(other.context_);
      recorder_ = std::move(other.recorder_);
    }
    return *this;
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() { End(); }

  const SpanContext& context() const noexcept { return context_; }
  // Ends the span now (or at `end_time`); later calls are ignored. Ending a
  // parent does not end its children.
  void End(SystemTime end_time = {}) noexcept {
    if (recorder_ != nullptr && !recorder_->IsEnded()) recorder_->End(end_time);
  }
  SpanRecorder* recorder() noexcept { return recorder_.get(); }

 private:
  SpanContext context_;
  std::unique_ptr<SpanRecorder> recorder_;
};

// Non-owning view of a span (the current one, see context.h). Valid only while
// the span it refers to is alive; do not keep it beyond the current call.
class SpanRef : public internal::SpanMutators<SpanRef> {
 public:
  SpanRef() noexcept = default;
  SpanRef(const SpanContext* context, SpanRecorder* recorder) noexcept
      : context_(context), recorder_(recorder) {}
  // The referenced span's context, or an invalid one.
  const SpanContext& context() const noexcept {
    static const SpanContext kInvalid;
    return context_ != nullptr ? *context_ : kInvalid;
  }
  SpanRecorder* recorder() noexcept { return recorder_; }

 private:
  const SpanContext* context_ = nullptr;
  SpanRecorder* recorder_ = nullptr;
};

}  // namespace aura::telemetry
