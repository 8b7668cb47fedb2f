#include "telemetry/sdk/tracer_provider.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "telemetry/sdk/span_data_pool.h"

namespace aura::telemetry::sdk {
namespace internal {

struct ProviderState {
  Resource resource;
  std::shared_ptr<const Sampler> sampler;
  std::shared_ptr<IdGenerator> id_generator;
  SpanLimits limits;
  std::shared_ptr<PipelineHealth> health;
  std::vector<std::unique_ptr<SpanProcessor>> processors;
  std::atomic<bool> shutdown{false};
};

}  // namespace internal

namespace {

using internal::ProviderState;

int64_t UnixNanos(SystemTime t) noexcept {
  if (t == SystemTime{}) t = std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// The byte length of the first `limit` UTF-8 characters of `s`.
size_t TruncatedSize(std::string_view s, size_t limit) noexcept {
  if (limit == SpanLimits::kUnlimited || s.size() <= limit) return s.size();
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == limit) return i;
      ++chars;
    }
  }
  return s.size();
}

// Cuts `s` to at most `limit` UTF-8 characters.
void TruncateChars(std::string& s, size_t limit) { s.resize(TruncatedSize(s, limit)); }

// What is stored for the string value `value` of `key`: "[REDACTED]" or the
// value cut to the length limit. Points into `value` or at a literal.
std::string_view SanitizedString(std::string_view key, std::string_view value, size_t length_limit) noexcept {
  if (IsSensitiveKey(key) || LooksLikeSecretValue(value)) return kRedacted;
  return value.substr(0, TruncatedSize(value, length_limit));
}

// Applies redaction and the length limit to a value about to be stored.
// Numbers and booleans are never replaced, so their keys are not looked at.
void Sanitize(std::string_view key, AttributeValue& value, size_t length_limit) {
  if (auto* s = std::get_if<std::string>(&value)) {
    if (IsSensitiveKey(key) || LooksLikeSecretValue(*s)) {
      *s = std::string(kRedacted);
    } else {
      TruncateChars(*s, length_limit);
    }
  } else if (auto* v = std::get_if<std::vector<std::string>>(&value)) {
    const bool key_sensitive = IsSensitiveKey(key);
    for (std::string& item : *v) {
      if (key_sensitive || LooksLikeSecretValue(item)) {
        item = std::string(kRedacted);
      } else {
        TruncateChars(item, length_limit);
      }
    }
  }
}

void FillAttributes(AttributeList& out, uint32_t& dropped, std::initializer_list<Attribute> attrs,
                    size_t count_limit, size_t length_limit) {
  for (const Attribute& a : attrs) {
    if (a.key.empty()) continue;
    bool stored = false;
    if (const auto* str = std::get_if<std::string>(&a.value)) {
      stored = out.PutString(a.key, SanitizedString(a.key, *str, length_limit), count_limit);
    } else {
      AttributeValue v = a.value;
      Sanitize(a.key, v, length_limit);
      stored = out.Put(a.key, std::move(v), count_limit);
    }
    if (!stored) ++dropped;
  }
}

class RecordingSpan final : public SpanRecorder {
 public:
  RecordingSpan(ProviderState* state, std::unique_ptr<SpanData> data)
      : state_(state), data_(std::move(data)) {}
  ~RecordingSpan() override {
    if (data_ != nullptr) End({});
  }

  void SetAttribute(std::string_view key, std::string_view value) noexcept override {
    if (data_ == nullptr || key.empty()) return;
    try {
      const SpanLimits& limits = state_->limits;
      if (!data_->attributes.PutString(key, SanitizedString(key, value, limits.attribute_value_length),
                                       limits.attribute_count)) {
        ++data_->dropped_attributes_count;
      }
    } catch (...) {
    }
  }
  void SetAttribute(std::string_view key, AttributeValue value) noexcept override {
    if (data_ == nullptr || key.empty()) return;
    try {
      Sanitize(key, value, state_->limits.attribute_value_length);
      if (!data_->attributes.Put(key, std::move(value), state_->limits.attribute_count)) {
        ++data_->dropped_attributes_count;
      }
    } catch (...) {
    }
  }
  void AddEvent(std::string_view name, std::initializer_list<Attribute> attributes,
                SystemTime time) noexcept override {
    if (data_ == nullptr) return;
    if (data_->events.size() >= state_->limits.event_count) {
      ++data_->dropped_events_count;
      return;
    }
    try {
      SpanEvent e;
      e.name = std::string(name);
      e.time_unix_nanos = UnixNanos(time);
      FillAttributes(e.attributes, e.dropped_attributes_count, attributes,
                     state_->limits.attributes_per_event, state_->limits.attribute_value_length);
      data_->events.push_back(std::move(e));
    } catch (...) {
    }
  }
  void AddLink(const SpanContext& context, std::initializer_list<Attribute> attributes) noexcept override {
    if (data_ == nullptr || !context.IsValid()) return;
    if (data_->links.size() >= state_->limits.link_count) {
      ++data_->dropped_links_count;
      return;
    }
    try {
      SpanLink l;
      l.context = context;
      FillAttributes(l.attributes, l.dropped_attributes_count, attributes,
                     state_->limits.attributes_per_link, state_->limits.attribute_value_length);
      data_->links.push_back(std::move(l));
    } catch (...) {
    }
  }
  void SetStatus(StatusCode code, std::string_view description) noexcept override {
    if (data_ == nullptr || code == StatusCode::kUnset || data_->status == StatusCode::kOk) return;
    data_->status = code;
    try {
      data_->status_description = code == StatusCode::kError ? std::string(description) : std::string();
    } catch (...) {
    }
  }
  void UpdateName(std::string_view name) noexcept override {
    if (data_ == nullptr) return;
    try {
      data_->name.assign(name);
    } catch (...) {
    }
  }
  void End(SystemTime end_time) noexcept override {
    if (data_ == nullptr) return;
    data_->end_unix_nanos = std::max(UnixNanos(end_time), data_->start_unix_nanos);
    state_->health->RecordEnded();
    auto& processors = state_->processors;
    if (processors.empty()) {
      RecycleSpanData(std::move(data_));
      return;
    }
    for (size_t i = 0; i + 1 < processors.size(); ++i) {
      try {
        processors[i]->OnEnd(std::make_unique<SpanData>(*data_));
      } catch (...) {
      }
    }
    processors.back()->OnEnd(std::move(data_));
    data_.reset();
  }
  bool IsEnded() const noexcept override { return data_ == nullptr; }

 private:
  ProviderState* state_;  // the provider outlives its spans
  std::unique_ptr<SpanData> data_;
};

class SdkTracer final : public TracerBackend {
 public:
  SdkTracer(std::shared_ptr<ProviderState> state, InstrumentationScope scope)
      : state_(std::move(state)), scope_(std::move(scope)) {}

  Span StartSpan(std::string_view name, const SpanContext* parent,
                 const SpanOptions& options) noexcept override {
    ProviderState& st = *state_;
    if (st.shutdown.load(std::memory_order_acquire)) {
      return parent != nullptr ? Span(*parent, nullptr) : Span();
    }
    try {
      TraceId trace_id = parent != nullptr ? parent->trace_id : st.id_generator->NewTraceId();
      SamplingResult result = st.sampler->ShouldSample(parent, trace_id, name, options.kind);
      SpanContext ctx;
      ctx.trace_id = trace_id;
      ctx.span_id = st.id_generator->NewSpanId();
      ctx.trace_flags = static_cast<uint8_t>((result.IsSampled() ? kTraceFlagSampled : 0) |
                                             (parent != nullptr ? parent->trace_flags & kTraceFlagRandom : 0));
      ctx.is_remote = false;
      ctx.trace_state = std::move(result.trace_state);
      if (!result.IsRecording()) return Span(std::move(ctx), nullptr);

      std::unique_ptr<SpanData> data = AcquireSpanData();
      data->name.assign(name);
      data->context = ctx;
      if (parent != nullptr) {
        data->parent_span_id = parent->span_id;
        data->parent_is_remote = parent->is_remote;
      }
      data->kind = options.kind;
      data->start_unix_nanos = UnixNanos(options.start_time);
      data->resource = &st.resource;
      data->scope = &scope_;
      for (auto& p : st.processors) p->OnStart(*data, parent);
      st.health->RecordStarted();
      return Span(std::move(ctx), std::make_unique<RecordingSpan>(&st, std::move(data)));
    } catch (...) {
      return parent != nullptr ? Span(*parent, nullptr) : Span();
    }
  }

 private:
  std::shared_ptr<ProviderState> state_;
  InstrumentationScope scope_;
};

}  // namespace

TracerProvider::TracerProvider(TracerProviderOptions options,
                               std::vector<std::unique_ptr<SpanProcessor>> processors)
    : state_(std::make_shared<ProviderState>()) {
  state_->resource = std::move(options.resource);
  state_->sampler = options.sampler ? std::move(options.sampler)
                                    : MakeParentBasedSampler(MakeAlwaysOnSampler());
  state_->id_generator = options.id_generator ? std::move(options.id_generator)
                                              : std::shared_ptr<IdGenerator>(MakeRandomIdGenerator());
  state_->limits = options.limits;
  state_->health = options.health ? std::move(options.health) : std::make_shared<PipelineHealth>();
  for (auto& p : processors) {
    if (p != nullptr) state_->processors.push_back(std::move(p));
  }
}

TracerProvider::~TracerProvider() {
  Shutdown(std::chrono::milliseconds(30000));
  // An export abandoned at the shutdown deadline (a collector that hangs)
  // still runs on its own thread and reads the spans' resource and scope,
  // which live in the state and the tracers. They are kept for the rest of
  // the process rather than freed under it: this happens at exit, when a
  // collector did not answer in time, and costs a few KiB.
  for (const auto& p : state_->processors) {
    if (!p->ExportStillRunning()) continue;
    struct KeptForAbandonedExport {
      std::shared_ptr<internal::ProviderState> state;
      std::map<std::pair<std::string, std::string>, std::shared_ptr<TracerBackend>> tracers;
    };
    static std::mutex kept_mu;
    static auto* kept = new std::vector<KeptForAbandonedExport>();  // never freed, see above
    std::lock_guard lock(kept_mu);
    std::lock_guard tracers_lock(mu_);
    kept->push_back({state_, tracers_});
    break;
  }
}

std::shared_ptr<TracerBackend> TracerProvider::GetTracerBackend(std::string_view name,
                                                                std::string_view version) noexcept {
  if (state_->shutdown.load(std::memory_order_acquire)) return NoopTracerBackend();
  try {
    std::lock_guard lock(mu_);
    auto key = std::make_pair(std::string(name), std::string(version));
    auto it = tracers_.find(key);
    if (it != tracers_.end()) return it->second;
    auto tracer = std::make_shared<SdkTracer>(state_, InstrumentationScope{key.first, key.second});
    tracers_.emplace(std::move(key), tracer);
    return tracer;
  } catch (...) {
    return NoopTracerBackend();
  }
}

Tracer TracerProvider::GetTracer(std::string_view name, std::string_view version) {
  return Tracer(GetTracerBackend(name, version));
}

bool TracerProvider::ForceFlush(std::chrono::milliseconds timeout) noexcept {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ok = true;
  for (auto& p : state_->processors) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    ok = p->ForceFlush(std::max(left, std::chrono::milliseconds(0))) && ok;
  }
  return ok;
}

bool TracerProvider::Shutdown(std::chrono::milliseconds timeout) noexcept {
  if (state_->shutdown.exchange(true, std::memory_order_acq_rel)) return true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ok = true;
  for (auto& p : state_->processors) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    ok = p->Shutdown(std::max(left, std::chrono::milliseconds(0))) && ok;
  }
  return ok;
}

const std::shared_ptr<PipelineHealth>& TracerProvider::health() const noexcept { return state_->health; }
const Resource& TracerProvider::resource() const noexcept { return state_->resource; }
const Sampler& TracerProvider::sampler() const noexcept { return *state_->sampler; }

}  // namespace aura::telemetry::sdk
