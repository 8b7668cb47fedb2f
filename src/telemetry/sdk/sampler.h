// File: telemetry/sdk/sampler.h
//
// Samplers decide at span start whether a span is recorded and exported.
// Built-ins (descriptions as the OpenTelemetry specification spells them):
//
//   auto s = MakeParentBasedSampler(MakeTraceIdRatioSampler(0.25));
//   s->Description();   // "ParentBased{root:TraceIdRatioBased{0.250000},remoteParentSampled:..."
//
// Samplers are immutable and thread-safe; ShouldSample is noexcept and must
// not block (it runs on the request path).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "telemetry/api/span.h"
#include "telemetry/api/span_context.h"

namespace aura::telemetry::sdk {

enum class SamplingDecision {
  kDrop,             // not recorded, not sampled
  kRecordOnly,       // recorded (processors see it), sampled flag unset: never exported
  kRecordAndSample,  // recorded and exported
};

struct SamplingResult {
  SamplingDecision decision = SamplingDecision::kDrop;
  // The tracestate of the new span; built-ins return the parent's unchanged.
  std::string trace_state;
  bool IsRecording() const noexcept { return decision != SamplingDecision::kDrop; }
  bool IsSampled() const noexcept { return decision == SamplingDecision::kRecordAndSample; }
};

class Sampler {
 public:
  Sampler() = default;
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;
  virtual ~Sampler() = default;
  // `parent` is the valid parent context or nullptr for a root span.
  virtual SamplingResult ShouldSample(const SpanContext* parent, const TraceId& trace_id,
                                      std::string_view name, SpanKind kind) const noexcept = 0;
  virtual std::string Description() const = 0;
};

std::shared_ptr<const Sampler> MakeAlwaysOnSampler();
std::shared_ptr<const Sampler> MakeAlwaysOffSampler();
// Samples iff bytes 8..15 of the trace id (big-endian) < floor(ratio * 2^64);
// ratio >= 1 always, <= 0 never. Ignores the parent.
std::shared_ptr<const Sampler> MakeTraceIdRatioSampler(double ratio);

struct ParentBasedSamplerOptions {
  // nullptr = the default for each case.
  std::shared_ptr<const Sampler> remote_parent_sampled;      // AlwaysOn
  std::shared_ptr<const Sampler> remote_parent_not_sampled;  // AlwaysOff
  std::shared_ptr<const Sampler> local_parent_sampled;       // AlwaysOn
  std::shared_ptr<const Sampler> local_parent_not_sampled;   // AlwaysOff
};
std::shared_ptr<const Sampler> MakeParentBasedSampler(std::shared_ptr<const Sampler> root,
                                                      ParentBasedSamplerOptions options = {});

}  // namespace aura::telemetry::sdk
