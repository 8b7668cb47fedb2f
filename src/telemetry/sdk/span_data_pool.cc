#include "telemetry/sdk/span_data_pool.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace aura::telemetry::sdk {
namespace {

// A bounded stack of pointers: the span recycled last is reused first, while
// its memory (and its attribute buffers, written again at once) is still in
// a cache. A first-in-first-out ring would hand out the span that has waited
// longest, always the coldest. The lock is held for a push or a pop only.
class Pool {
 public:
  static constexpr size_t kCapacity = 4096;
  Pool() { spans_.reserve(kCapacity); }
  bool Push(SpanData* p) noexcept {
    std::lock_guard lock(mu_);
    if (spans_.size() >= kCapacity) return false;
    spans_.push_back(p);  // never reallocates: capacity reserved
    return true;
  }
  // Pushes spans[0, n) while there is room; returns how many it took.
  size_t PushMany(SpanData* const* spans, size_t n) noexcept {
    std::lock_guard lock(mu_);
    const size_t taken = std::min(n, kCapacity - spans_.size());
    spans_.insert(spans_.end(), spans, spans + taken);  // never reallocates
    return taken;
  }
  SpanData* Pop() noexcept {
    std::lock_guard lock(mu_);
    if (spans_.empty()) return nullptr;
    SpanData* p = spans_.back();
    spans_.pop_back();
    return p;
  }

 private:
  std::mutex mu_;
  std::vector<SpanData*> spans_;  // guarded by mu_
};

Pool& GetPool() {
  static Pool* pool = new Pool();  // never destroyed: used by threads until exit
  return *pool;
}

void Clear(SpanData& s) {
  s.name.clear();
  s.context = SpanContext{};
  s.parent_span_id = SpanId{};
  s.parent_is_remote = false;
  s.kind = SpanKind::kInternal;
  s.start_unix_nanos = s.end_unix_nanos = 0;
  s.attributes.clear();
  s.dropped_attributes_count = 0;
  s.events.clear();
  s.dropped_events_count = 0;
  s.links.clear();
  s.dropped_links_count = 0;
  s.status = StatusCode::kUnset;
  s.status_description.clear();
  s.resource = nullptr;
  s.scope = nullptr;
}

}  // namespace

// A recycled span is cleared when it is taken, on the request thread that is
// about to fill it, not when it is returned on the export thread: the strings
// it frees then land in that thread's malloc cache and serve the attributes it
// sets next, instead of piling up as cross-thread frees in other threads' heaps.
std::unique_ptr<SpanData> AcquireSpanData() {
  if (SpanData* s = GetPool().Pop()) {
    std::unique_ptr<SpanData> span(s);
    Clear(*span);
    return span;
  }
  return std::make_unique<SpanData>();
}

namespace {

// Whether `span` is worth keeping: not oversized, and with its rare large
// strings freed here, on the exporting thread, rather than carried along.
bool PrepareForPool(SpanData& span) noexcept {
  if (span.attributes.capacity() > 64 || span.events.capacity() > 16 || span.links.capacity() > 16) return false;
  span.attributes.ReleaseLargeStorage();
  return true;
}

}  // namespace

void RecycleSpanData(std::unique_ptr<SpanData> span) noexcept {
  if (span == nullptr || !PrepareForPool(*span)) return;
  if (GetPool().Push(span.get())) span.release();
}

void RecycleSpanData(std::vector<std::unique_ptr<SpanData>>& spans) noexcept {
  // One lock per chunk rather than per span: request threads take spans from
  // the same pool all the time, and a lock per span keeps its line moving.
  constexpr size_t kChunk = 64;
  SpanData* kept[kChunk];
  size_t kept_index[kChunk];
  for (size_t i = 0; i < spans.size();) {
    size_t n = 0;
    for (; i < spans.size() && n < kChunk; ++i) {
      if (spans[i] != nullptr && PrepareForPool(*spans[i])) {
        kept[n] = spans[i].get();
        kept_index[n++] = i;
      }
    }
    const size_t taken = GetPool().PushMany(kept, n);
    for (size_t k = 0; k < taken; ++k) (void)spans[kept_index[k]].release();  // the pool owns them now
  }
  spans.clear();  // deletes what the pool did not take
}

}  // namespace aura::telemetry::sdk
