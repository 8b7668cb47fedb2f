// File: telemetry/api/span_context.h
//
// The identity of a span as it travels between processes (W3C Trace Context):
// a 16-byte trace id, an 8-byte span id, the trace flags, the vendor
// `tracestate` header and whether the context came from another process.
//
//   SpanContext ctx = span.context();
//   std::string id = ctx.trace_id.ToHex();       // 32 lowercase hex chars
//   if (ctx.IsSampled()) { ... }
//
// Plain values: thread-compatible, cheap to copy (tracestate is usually empty).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aura::telemetry {

namespace internal {
inline constexpr char kHexDigits[] = "0123456789abcdef";
// The value of a lowercase hex digit, or -1 (uppercase is not accepted: W3C).
constexpr int LowerHexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
}  // namespace internal

// N random bytes shown as 2N lowercase hex characters; all-zero = invalid.
template <size_t N>
struct IdBytes {
  std::array<uint8_t, N> bytes{};

  bool IsValid() const noexcept {
    for (uint8_t b : bytes) {
      if (b != 0) return true;
    }
    return false;
  }
  // Writes 2N lowercase hex characters to `out`.
  void ToHex(char* out) const noexcept {
    for (size_t i = 0; i < N; ++i) {
      out[2 * i] = internal::kHexDigits[bytes[i] >> 4];
      out[2 * i + 1] = internal::kHexDigits[bytes[i] & 0xF];
    }
  }
  std::string ToHex() const {
    std::string s(2 * N, '0');
    ToHex(s.data());
    return s;
  }
  // Parses exactly 2N lowercase hex characters; nullopt otherwise. An all-zero
  // id parses (callers decide whether it is acceptable).
  static std::optional<IdBytes> FromHex(std::string_view hex) noexcept {
    if (hex.size() != 2 * N) return std::nullopt;
    IdBytes id;
    for (size_t i = 0; i < N; ++i) {
      int hi = internal::LowerHexValue(hex[2 * i]);
      int lo = internal::LowerHexValue(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      id.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return id;
  }
  friend bool operator==(const IdBytes&, const IdBytes&) = default;
};

using TraceId = IdBytes<16>;
using SpanId = IdBytes<8>;

// W3C trace-flags bits. Test bits, never compare the whole byte.
inline constexpr uint8_t kTraceFlagSampled = 0x01;
inline constexpr uint8_t kTraceFlagRandom = 0x02;

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  uint8_t trace_flags = 0;
  // True when extracted from another process (W3C `IsRemote`).
  bool is_remote = false;
  // The `tracestate` header value, already validated; empty = none.
  std::string trace_state;

  // Valid = both ids non-zero. Only valid contexts are propagated or parented.
  bool IsValid() const noexcept { return trace_id.IsValid() && span_id.IsValid(); }
  bool IsSampled() const noexcept { return (trace_flags & kTraceFlagSampled) != 0; }
  friend bool operator==(const SpanContext&, const SpanContext&) = default;
};

}  // namespace aura::telemetry
