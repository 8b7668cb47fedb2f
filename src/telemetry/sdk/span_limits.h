// File: telemetry/sdk/span_limits.h
//
// SpanLimits: how much one span may record (OpenTelemetry defaults: 128 of
// each; attribute value length unlimited). Excess is dropped and counted.
//
//   SpanLimits limits{.attribute_count = 32, .attribute_value_length = 256};
#pragma once

#include <cstddef>
#include <limits>

namespace aura::telemetry::sdk {

struct SpanLimits {
  static constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();
  size_t attribute_count = 128;
  // In characters (UTF-8 code points), applied to strings and to each string
  // in an array; numbers and booleans are never truncated.
  size_t attribute_value_length = kUnlimited;
  size_t event_count = 128;
  size_t link_count = 128;
  size_t attributes_per_event = 128;
  size_t attributes_per_link = 128;
};

}  // namespace aura::telemetry::sdk
