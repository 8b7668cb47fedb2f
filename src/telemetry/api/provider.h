// File: telemetry/api/provider.h
//
// The global tracer provider: a no-op until the SDK installs one (see
// telemetry/tracing.h InstallTracing), never null.
//
//   telemetry::Tracer tracer = telemetry::GetTracer("aura.gateway");
//   telemetry::SetTracerProvider(provider);    // main.cc / tests only
//
// Thread-safe. Installing a provider is rare (start-up, tests); spans never
// take a lock to find it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "telemetry/api/tracer.h"

namespace aura::telemetry {

// Implemented by the SDK. Thread-safe.
class TracerProviderBackend {
 public:
  TracerProviderBackend() = default;
  TracerProviderBackend(const TracerProviderBackend&) = delete;
  TracerProviderBackend& operator=(const TracerProviderBackend&) = delete;
  virtual ~TracerProviderBackend() = default;
  // Never null (a no-op backend once shut down).
  virtual std::shared_ptr<TracerBackend> GetTracerBackend(std::string_view name,
                                                          std::string_view version) noexcept = 0;
};

// A backend whose spans record nothing and carry the parent's context.
std::shared_ptr<TracerBackend> NoopTracerBackend() noexcept;

// Installs `provider` globally (nullptr = back to no-op). Existing Tracer
// objects switch to it on their next span.
void SetTracerProvider(std::shared_ptr<TracerProviderBackend> provider) noexcept;
// The installed provider, or nullptr when none is (spans are no-ops).
std::shared_ptr<TracerProviderBackend> GetTracerProvider() noexcept;

// A tracer of the global provider; cheap, keep it as a member.
inline Tracer GetTracer(std::string_view name, std::string_view version = {}) {
  return Tracer(std::string(name), std::string(version));
}

}  // namespace aura::telemetry
