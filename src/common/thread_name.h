// File: common/thread_name.h
//
// Names the calling thread, so that `top -H`, `perf` and
// /proc/<pid>/task/*/comm tell a process's threads apart (tracing_ab.sh sums
// each service's CPU time by thread name this way; docs/observability.md lists
// the names). Linux keeps at most 15 bytes; a longer name is cut.
//
//   common::SetCurrentThreadName("otel-export");
//
// Thread-safe; never fails (a name the system refuses is ignored).
#pragma once

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace aura::common {

inline void SetCurrentThreadName(std::string_view name) noexcept {
  char buffer[16];
  const size_t n = std::min(name.size(), sizeof buffer - 1);
  std::memcpy(buffer, name.data(), n);
  buffer[n] = '\0';
  (void)pthread_setname_np(pthread_self(), buffer);
}

}  // namespace aura::common
