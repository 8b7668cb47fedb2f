// File: telemetry/api/trace_state.h
//
// TraceState: the W3C `tracestate` list (vendor key=value members, most recent
// first). Parse() validates and rejects the whole header on any error, as W3C
// requires; Set() moves the key to the far left.
//
//   std::optional<TraceState> ts = TraceState::Parse("rojo=00f067aa0ba902b7,congo=t61");
//   TraceState next = ts->Set("aura", "x1");       // "aura=x1,rojo=...,congo=t61"
//   span_context.trace_state = next.ToHeader();
//
// Immutable value; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aura::telemetry {

class TraceState {
 public:
  static constexpr size_t kMaxMembers = 32;

  TraceState() = default;
  // Parses a header value (several fields joined with `,`). Empty members and
  // spaces/tabs around members are tolerated; a duplicate key keeps its first
  // occurrence. nullopt when a member is invalid or there are more than 32.
  static std::optional<TraceState> Parse(std::string_view header);
  static bool IsValidKey(std::string_view key) noexcept;
  static bool IsValidValue(std::string_view value) noexcept;

  std::optional<std::string_view> Get(std::string_view key) const noexcept;
  // Adds or updates `key` at the far left, dropping the right-most member if
  // the list would exceed 32. Invalid key or value: returns *this unchanged.
  TraceState Set(std::string_view key, std::string_view value) const;
  TraceState Delete(std::string_view key) const;
  // "k1=v1,k2=v2" (empty when there are no members).
  std::string ToHeader() const;
  const std::vector<std::pair<std::string, std::string>>& members() const noexcept { return members_; }
  bool empty() const noexcept { return members_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> members_;
};

}  // namespace aura::telemetry
