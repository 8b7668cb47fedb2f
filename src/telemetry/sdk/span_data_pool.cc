#include "telemetry/sdk/span_data_pool.h"

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
    span->attributes.PrefetchForWrite();  // the entries come from the export thread's cache or memory
    return span;
  }
  return std::make_unique<SpanData>();
}

void RecycleSpanData(std::unique_ptr<SpanData> span) noexcept {
  if (span == nullptr) return;
  // Oversized spans are not worth keeping.
  if (span->attributes.capacity() > 64 || span->events.capacity() > 16 || span->links.capacity() > 16) return;
  // Here, on the thread that has just exported the span, its memory is in
  // cache; the rare large strings it frees are not worth a cross-thread trip.
  span->attributes.ReleaseLargeStorage();
  if (GetPool().Push(span.get())) span.release();
}

}  // namespace aura::telemetry::sdk
