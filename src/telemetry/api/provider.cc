#include "telemetry/api/provider.h"

#include <map>
#include <mutex>
#include <tuple>

namespace aura::telemetry {
namespace {

class NoopBackend final : public TracerBackend {
 public:
  Span StartSpan(std::string_view, const SpanContext* parent, const SpanOptions&) noexcept override {
    // Non-recording, carrying the parent so that propagation continues.
    if (parent == nullptr) return Span();
    return Span(*parent, nullptr);
  }
};

struct Registry {
  std::mutex mu;
  std::shared_ptr<TracerProviderBackend> provider;
  // Bindings live until exit: Tracer objects may hold raw pointers to them.
  std::map<std::tuple<uint64_t, std::string, std::string>, std::unique_ptr<internal::TracerBinding>>
      bindings;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();  // never destroyed: used from any thread until exit
  return *registry;
}

}  // namespace

std::shared_ptr<TracerBackend> NoopTracerBackend() noexcept {
  static const std::shared_ptr<TracerBackend> backend = std::make_shared<NoopBackend>();
  return backend;
}

void SetTracerProvider(std::shared_ptr<TracerProviderBackend> provider) noexcept {
  Registry& r = GetRegistry();
  std::lock_guard lock(r.mu);
  r.provider = std::move(provider);
  internal::g_provider_generation.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<TracerProviderBackend> GetTracerProvider() noexcept {
  Registry& r = GetRegistry();
  std::lock_guard lock(r.mu);
  return r.provider;
}

namespace internal {
const TracerBinding* BindTracer(const std::string& name, const std::string& version) noexcept {
  Registry& r = GetRegistry();
  std::lock_guard lock(r.mu);
  uint64_t generation = g_provider_generation.load(std::memory_order_acquire);
  auto key = std::make_tuple(generation, name, version);
  auto it = r.bindings.find(key);
  if (it != r.bindings.end()) return it->second.get();
  std::shared_ptr<TracerBackend> backend;
  if (r.provider != nullptr) backend = r.provider->GetTracerBackend(name, version);
  if (backend == nullptr) backend = NoopTracerBackend();
  auto binding = std::make_unique<TracerBinding>(TracerBinding{generation, std::move(backend)});
  const TracerBinding* raw = binding.get();
  r.bindings.emplace(std::move(key), std::move(binding));
  return raw;
}
}  // namespace internal

}  // namespace aura::telemetry
