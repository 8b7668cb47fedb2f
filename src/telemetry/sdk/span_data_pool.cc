#include "telemetry/sdk/span_data_pool.h"

#include <atomic>
#include <cstdint>

namespace aura::telemetry::sdk {
namespace {

// Vyukov's bounded MPMC ring of pointers.
class Pool {
 public:
  static constexpr size_t kCapacity = 4096;
  Pool() {
    for (size_t i = 0; i < kCapacity; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }
  bool Push(SpanData* p) noexcept {
    size_t pos = tail_.load(std::memory_order_relaxed);
    while (true) {
      Cell& c = cells_[pos & (kCapacity - 1)];
      size_t seq = c.sequence.load(std::memory_order_acquire);
      intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
      if (diff == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          c.value = p;
          c.sequence.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }
  SpanData* Pop() noexcept {
    size_t pos = head_.load(std::memory_order_relaxed);
    while (true) {
      Cell& c = cells_[pos & (kCapacity - 1)];
      size_t seq = c.sequence.load(std::memory_order_acquire);
      intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1);
      if (diff == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          SpanData* v = c.value;
          c.sequence.store(pos + kCapacity, std::memory_order_release);
          return v;
        }
      } else if (diff < 0) {
        return nullptr;
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }

 private:
  struct Cell {
    std::atomic<size_t> sequence;
    SpanData* value = nullptr;
  };
  Cell cells_[kCapacity];
  alignas(64) std::atomic<size_t> head_{0};
  alignas(64) std::atomic<size_t> tail_{0};
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
