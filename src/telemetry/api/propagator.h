// File: telemetry/api/propagator.h
//
// Context propagation across process boundaries: a TextMapPropagator writes the
// current Context into request headers / gRPC metadata (Inject) and reads it
// back on the other side (Extract). The global propagator is the W3C composite
// `tracecontext,baggage` unless configuration (OTEL_PROPAGATORS) says otherwise.
//
// Outgoing (gRPC client), with the current span of this thread:
//   grpc::ClientContext ctx;
//   telemetry::GrpcClientContextCarrier carrier(ctx);
//   telemetry::InjectContext(carrier);
//
// Incoming (gRPC server method; HTTP works the same with a header map):
//   telemetry::HeaderMapCarrier carrier(server_context->client_metadata());
//   telemetry::Context parent = telemetry::ExtractContext(carrier);
//
// Header names are matched case-insensitively on extraction and emitted in
// lowercase (`traceparent`, `tracestate`, `baggage`).
//
// Thread-safety: propagators are immutable and thread-safe; carriers are
// single-threaded views over one request.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "telemetry/api/context.h"

namespace aura::telemetry {

namespace internal {
// A non-owning callable reference (no allocation), valid for one call.
template <class Sig>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef>)
  FunctionRef(F&& f) noexcept  // NOLINT: implicit by design
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, Args... a) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(a)...);
        }) {}
  R operator()(Args... a) const { return call_(obj_, std::forward<Args>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, Args...);
};

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}
}  // namespace internal

// Where a propagator reads and writes fields. Implement it over any header or
// metadata container.
class TextMapCarrier {
 public:
  using Visitor = internal::FunctionRef<void(std::string_view)>;
  virtual ~TextMapCarrier() = default;
  // Calls `visit` with every value of field `key` (matched case-insensitively),
  // in arrival order.
  virtual void GetAll(std::string_view key, Visitor visit) const = 0;
  // Adds field `key` (lowercase) with `value`.
  virtual void Set(std::string_view key, std::string_view value) = 0;
};

// A carrier over any container of (name, value) pairs: std::multimap,
// std::vector<std::pair<..>>, std::map, or gRPC's
// `std::multimap<grpc::string_ref, grpc::string_ref>` (read-only). Set() uses
// `emplace(name, value)` when the container is not const.
template <class Map>
class HeaderMapCarrier final : public TextMapCarrier {
 public:
  explicit HeaderMapCarrier(Map& map) : map_(map) {}
  void GetAll(std::string_view key, Visitor visit) const override {
    for (const auto& [k, v] : map_) {
      if (internal::EqualsIgnoreCase(std::string_view(k.data(), k.size()), key)) {
        visit(std::string_view(v.data(), v.size()));
      }
    }
  }
  void Set(std::string_view key, std::string_view value) override {
    if constexpr (!std::is_const_v<Map>) {
      using K = typename std::remove_cvref_t<Map>::value_type::first_type;
      using V = typename std::remove_cvref_t<Map>::value_type::second_type;
      if constexpr (requires { map_.emplace(K(key), V(value)); }) {
        map_.emplace(K(key), V(value));
      } else {
        map_.emplace_back(K(key), V(value));
      }
    }
  }

 private:
  Map& map_;
};
template <class Map>
HeaderMapCarrier(Map&) -> HeaderMapCarrier<Map>;

// Writes into a grpc::ClientContext (or anything with AddMetadata(std::string,
// std::string)); reading yields nothing. Header-only, so the API does not
// depend on gRPC.
template <class ClientContext>
class GrpcClientContextCarrier final : public TextMapCarrier {
 public:
  explicit GrpcClientContextCarrier(ClientContext& context) : context_(context) {}
  void GetAll(std::string_view, Visitor) const override {}
  void Set(std::string_view key, std::string_view value) override {
    context_.AddMetadata(std::string(key), std::string(value));
  }

 private:
  ClientContext& context_;
};

class TextMapPropagator {
 public:
  TextMapPropagator() = default;
  TextMapPropagator(const TextMapPropagator&) = delete;
  TextMapPropagator& operator=(const TextMapPropagator&) = delete;
  virtual ~TextMapPropagator() = default;
  // Writes `context` into `carrier`. Only a valid span context is written.
  virtual void Inject(TextMapCarrier& carrier, const Context& context) const noexcept = 0;
  // `base` updated with what `carrier` holds; invalid fields leave it as is.
  virtual Context Extract(const TextMapCarrier& carrier, Context base) const noexcept = 0;
  // The field names this propagator uses (lowercase).
  virtual std::vector<std::string> Fields() const = 0;
};

// W3C Trace Context: `traceparent` and `tracestate` (Level 2 parsing).
class TraceContextPropagator final : public TextMapPropagator {
 public:
  void Inject(TextMapCarrier& carrier, const Context& context) const noexcept override;
  Context Extract(const TextMapCarrier& carrier, Context base) const noexcept override;
  std::vector<std::string> Fields() const override { return {"traceparent", "tracestate"}; }

  // Parses one traceparent value (after trimming); nullopt when invalid. The
  // result has is_remote = true and an empty trace_state.
  static std::optional<SpanContext> ParseTraceparent(std::string_view value) noexcept;
  // "00-<trace-id>-<span-id>-<flags>" (bits 2-7 of the flags written as 0).
  static std::string FormatTraceparent(const SpanContext& context);
};

// W3C Baggage: the `baggage` header.
class BaggagePropagator final : public TextMapPropagator {
 public:
  // Members kept on extraction (at least the W3C minimums of 64 and 8192 bytes).
  static constexpr size_t kMaxMembers = 180;
  static constexpr size_t kMaxBytes = 8192;
  void Inject(TextMapCarrier& carrier, const Context& context) const noexcept override;
  Context Extract(const TextMapCarrier& carrier, Context base) const noexcept override;
  std::vector<std::string> Fields() const override { return {"baggage"}; }

  // Parses header text (several fields joined with `,`); malformed members are
  // skipped, valid ones kept.
  static Baggage ParseHeader(std::string_view header);
  static std::string FormatHeader(const Baggage& baggage);
};

// Runs several propagators in order (inject all; extract each over the result
// of the previous). An empty composite propagates nothing (`none`).
class CompositePropagator final : public TextMapPropagator {
 public:
  explicit CompositePropagator(std::vector<std::unique_ptr<TextMapPropagator>> propagators)
      : propagators_(std::move(propagators)) {}
  void Inject(TextMapCarrier& carrier, const Context& context) const noexcept override {
    for (const auto& p : propagators_) p->Inject(carrier, context);
  }
  Context Extract(const TextMapCarrier& carrier, Context base) const noexcept override {
    for (const auto& p : propagators_) base = p->Extract(carrier, std::move(base));
    return base;
  }
  std::vector<std::string> Fields() const override {
    std::vector<std::string> fields;
    for (const auto& p : propagators_) {
      for (auto& f : p->Fields()) fields.push_back(std::move(f));
    }
    return fields;
  }

 private:
  std::vector<std::unique_ptr<TextMapPropagator>> propagators_;
};

// Builds a propagator from an OTEL_PROPAGATORS-style list ("tracecontext,baggage";
// duplicates ignored; "none" = propagate nothing). Unknown names are returned
// in `unknown` and skipped.
std::unique_ptr<TextMapPropagator> MakePropagator(std::string_view list,
                                                  std::vector<std::string>* unknown = nullptr);

// The global propagator (default `tracecontext,baggage`). Never null; the
// reference stays valid until exit even after SetGlobalPropagator.
const TextMapPropagator& GlobalPropagator() noexcept;
void SetGlobalPropagator(std::unique_ptr<TextMapPropagator> propagator) noexcept;

// Injects `context` (default: this thread's current one) with the global propagator.
inline void InjectContext(TextMapCarrier& carrier, const Context& context) noexcept {
  GlobalPropagator().Inject(carrier, context);
}
inline void InjectContext(TextMapCarrier& carrier) noexcept {
  GlobalPropagator().Inject(carrier, Context::Current());
}
// Extracts a context with the global propagator; an absent or invalid
// traceparent gives an invalid span context (the server span starts a new trace).
inline Context ExtractContext(const TextMapCarrier& carrier) noexcept {
  return GlobalPropagator().Extract(carrier, Context{});
}

}  // namespace aura::telemetry
