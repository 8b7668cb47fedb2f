// File: telemetry/sdk/tracer_provider.h
//
// TracerProvider: the SDK implementation behind the API. It owns the resource,
// sampler, id generator, span limits and span processors, and hands out
// tracers whose spans record into SpanData and go to the processors at End().
//
//   auto exporter = std::make_unique<InMemorySpanExporter>();
//   auto provider = std::make_shared<TracerProvider>(
//       TracerProviderOptions{.resource = MakeResource({.service_name = "test"}, env)},
//       MakeProcessors(std::make_unique<SimpleSpanProcessor>(std::move(exporter))));
//   telemetry::Tracer tracer = provider->GetTracer("aura.test");  // bound to this provider
//   telemetry::SetTracerProvider(provider);                         // or make it global
//
// Production code builds it with InstallTracing() (telemetry/tracing.h).
//
// Thread-safe. Processors are fixed at construction, so starting and ending a
// span takes no lock. Shutdown() shuts every processor down (idempotent); after
// it tracers hand out no-op spans. The destructor shuts down.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/api/provider.h"
#include "telemetry/sdk/id_generator.h"
#include "telemetry/sdk/pipeline_health.h"
#include "telemetry/sdk/resource.h"
#include "telemetry/sdk/sampler.h"
#include "telemetry/sdk/span_limits.h"
#include "telemetry/sdk/span_processor.h"

namespace aura::telemetry::sdk {

struct TracerProviderOptions {
  Resource resource;
  // nullptr = ParentBased(root=AlwaysOn).
  std::shared_ptr<const Sampler> sampler;
  // nullptr = random ids.
  std::shared_ptr<IdGenerator> id_generator;
  SpanLimits limits;
  // nullptr = a private one (see Health()).
  std::shared_ptr<PipelineHealth> health;
};

// Helper to build a processor list from move-only arguments.
template <class... P>
std::vector<std::unique_ptr<SpanProcessor>> MakeProcessors(std::unique_ptr<P>... processors) {
  std::vector<std::unique_ptr<SpanProcessor>> v;
  (v.push_back(std::move(processors)), ...);
  return v;
}

namespace internal {
struct ProviderState;
}

class TracerProvider final : public TracerProviderBackend,
                             public std::enable_shared_from_this<TracerProvider> {
 public:
  explicit TracerProvider(TracerProviderOptions options = {},
                          std::vector<std::unique_ptr<SpanProcessor>> processors = {});
  ~TracerProvider() override;

  std::shared_ptr<TracerBackend> GetTracerBackend(std::string_view name,
                                                  std::string_view version) noexcept override;
  // A tracer bound to this provider (not the global one).
  Tracer GetTracer(std::string_view name, std::string_view version = {});

  bool ForceFlush(std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) noexcept;
  bool Shutdown(std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) noexcept;

  TracingHealth Health() const { return health()->Snapshot(); }
  const std::shared_ptr<PipelineHealth>& health() const noexcept;
  const Resource& resource() const noexcept;
  const Sampler& sampler() const noexcept;

 private:
  std::shared_ptr<internal::ProviderState> state_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<TracerBackend>> tracers_;  // guarded by mu_
};

}  // namespace aura::telemetry::sdk
