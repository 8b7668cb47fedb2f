// File: telemetry/sdk/id_generator.h
//
// IdGenerator: new trace and span ids. The default draws from a per-thread
// xoshiro256** generator seeded from std::random_device (no lock, no syscall
// per id); ids are never all zero.
//
//   auto gen = MakeRandomIdGenerator();
//   TraceId t = gen->NewTraceId();
//
// Implementations are thread-safe.
#pragma once

#include <memory>

#include "telemetry/api/span_context.h"

namespace aura::telemetry::sdk {

class IdGenerator {
 public:
  IdGenerator() = default;
  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;
  virtual ~IdGenerator() = default;
  virtual TraceId NewTraceId() noexcept = 0;
  virtual SpanId NewSpanId() noexcept = 0;
};

std::unique_ptr<IdGenerator> MakeRandomIdGenerator();

}  // namespace aura::telemetry::sdk
