#include <cmath>
#include <cstdio>

#include "telemetry/sdk/sampler.h"

namespace aura::telemetry::sdk {
namespace {

std::string ParentTraceState(const SpanContext* parent) {
  return parent != nullptr ? parent->trace_state : std::string();
}

class AlwaysOnSampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const SpanContext* parent, const TraceId&, std::string_view,
                              SpanKind) const noexcept override {
    return {SamplingDecision::kRecordAndSample, ParentTraceState(parent)};
  }
  std::string Description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOffSampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const SpanContext* parent, const TraceId&, std::string_view,
                              SpanKind) const noexcept override {
    return {SamplingDecision::kDrop, ParentTraceState(parent)};
  }
  std::string Description() const override { return "AlwaysOffSampler"; }
};

class TraceIdRatioSampler final : public Sampler {
 public:
  explicit TraceIdRatioSampler(double ratio) : ratio_(ratio) {
    if (!(ratio > 0)) {
      mode_ = kNever;
    } else if (ratio >= 1) {
      mode_ = kAlways;
    } else {
      long double bound = std::floor(static_cast<long double>(ratio) * 18446744073709551616.0L);
      if (bound >= 18446744073709551615.0L) {
        mode_ = kAlways;
      } else {
        mode_ = kBound;
        bound_ = static_cast<uint64_t>(bound);
      }
    }
  }
  SamplingResult ShouldSample(const SpanContext* parent, const TraceId& trace_id, std::string_view,
                              SpanKind) const noexcept override {
    bool sample = mode_ == kAlways;
    if (mode_ == kBound) {
      uint64_t r = 0;
      for (size_t i = 8; i < 16; ++i) r = r << 8 | trace_id.bytes[i];
      sample = r < bound_;
    }
    return {sample ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop,
            ParentTraceState(parent)};
  }
  std::string Description() const override {
    char buf[64];
    std::snprintf(buf, sizeof buf, "TraceIdRatioBased{%.6f}", ratio_);
    return buf;
  }

 private:
  enum Mode { kNever, kAlways, kBound };
  double ratio_;
  Mode mode_ = kNever;
  uint64_t bound_ = 0;
};

class ParentBasedSampler final : public Sampler {
 public:
  ParentBasedSampler(std::shared_ptr<const Sampler> root, ParentBasedSamplerOptions o)
      : root_(std::move(root)),
        remote_sampled_(o.remote_parent_sampled ? o.remote_parent_sampled : MakeAlwaysOnSampler()),
        remote_not_sampled_(o.remote_parent_not_sampled ? o.remote_parent_not_sampled
                                                        : MakeAlwaysOffSampler()),
        local_sampled_(o.local_parent_sampled ? o.local_parent_sampled : MakeAlwaysOnSampler()),
        local_not_sampled_(o.local_parent_not_sampled ? o.local_parent_not_sampled
                                                      : MakeAlwaysOffSampler()) {
    if (root_ == nullptr) root_ = MakeAlwaysOnSampler();
  }
  SamplingResult ShouldSample(const SpanContext* parent, const TraceId& trace_id, std::string_view name,
                              SpanKind kind) const noexcept override {
    const Sampler* delegate = root_.get();
    if (parent != nullptr && parent->IsValid()) {
      if (parent->is_remote) {
        delegate = parent->IsSampled() ? remote_sampled_.get() : remote_not_sampled_.get();
      } else {
        delegate = parent->IsSampled() ? local_sampled_.get() : local_not_sampled_.get();
      }
    }
    return delegate->ShouldSample(parent, trace_id, name, kind);
  }
  std::string Description() const override {
    return "ParentBased{root:" + root_->Description() +
           ",remoteParentSampled:" + remote_sampled_->Description() +
           ",remoteParentNotSampled:" + remote_not_sampled_->Description() +
           ",localParentSampled:" + local_sampled_->Description() +
           ",localParentNotSampled:" + local_not_sampled_->Description() + "}";
  }

 private:
  std::shared_ptr<const Sampler> root_, remote_sampled_, remote_not_sampled_, local_sampled_,
      local_not_sampled_;
};

}  // namespace

std::shared_ptr<const Sampler> MakeAlwaysOnSampler() {
  static const auto s = std::make_shared<AlwaysOnSampler>();
  return s;
}
std::shared_ptr<const Sampler> MakeAlwaysOffSampler() {
  static const auto s = std::make_shared<AlwaysOffSampler>();
  return s;
}
std::shared_ptr<const Sampler> MakeTraceIdRatioSampler(double ratio) {
  return std::make_shared<TraceIdRatioSampler>(ratio);
}
std::shared_ptr<const Sampler> MakeParentBasedSampler(std::shared_ptr<const Sampler> root,
                                                      ParentBasedSamplerOptions options) {
  return std::make_shared<ParentBasedSampler>(std::move(root), std::move(options));
}

}  // namespace aura::telemetry::sdk
