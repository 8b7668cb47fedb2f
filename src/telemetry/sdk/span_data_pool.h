// File: telemetry/sdk/span_data_pool.h
//
// A process-wide bounded pool of SpanData objects. Spans are allocated on
// request threads and freed on the exporter's thread; with glibc malloc that
// pattern makes every allocation slow (freed chunks never return to the
// allocating thread). Recycling the SpanData — with the capacity of its
// vectors — keeps span start/end nearly free of malloc in steady state; a
// recycled span keeps its old contents (already exported, already redacted)
// until AcquireSpanData clears it on the thread that reuses it. The pool is a
// stack: the span recycled last, the one most likely still in a cache, is
// the next one reused.
//
//   std::unique_ptr<SpanData> s = AcquireSpanData();   // cleared, maybe reused
//   RecycleSpanData(std::move(s));                      // after export
//
// Thread-safe (a short lock per call); when the pool is full RecycleSpanData deletes.
#pragma once

#include <memory>

#include "telemetry/sdk/span_data.h"

namespace aura::telemetry::sdk {

std::unique_ptr<SpanData> AcquireSpanData();
void RecycleSpanData(std::unique_ptr<SpanData> span) noexcept;

}  // namespace aura::telemetry::sdk
