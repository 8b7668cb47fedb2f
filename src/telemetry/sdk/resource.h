// File: telemetry/sdk/resource.h
//
// Resource: the attributes that describe the process emitting spans
// (service.name, service.version, service.instance.id, host.name, process.pid,
// telemetry.sdk.*), sent once per OTLP batch.
//
//   Resource r = MakeResource({.service_name = "aura-core", .service_version = "0.1.0"}, env);
//   r.Get("service.name");   // "aura-core"
//
// Immutable after construction; thread-safe to read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/environment.h"
#include "telemetry/sdk/span_data.h"

namespace aura::telemetry::sdk {

inline constexpr std::string_view kSdkName = "aura-telemetry";
inline constexpr std::string_view kSdkVersion = "0.1.0";

class Resource {
 public:
  Resource() = default;
  explicit Resource(AttributeList attributes) : attributes_(std::move(attributes)) {}
  const AttributeList& attributes() const noexcept { return attributes_; }
  const AttributeValue* Find(std::string_view key) const noexcept;
  // The string attribute `key`, or "".
  std::string Get(std::string_view key) const;
  // A resource with `other`'s attributes winning over this one's.
  Resource Merge(const Resource& other) const;

 private:
  AttributeList attributes_;
};

struct ResourceOptions {
  // Empty = service.name from OTEL_RESOURCE_ATTRIBUTES, else unknown_service:<exe>.
  std::string service_name;
  std::string service_version;
  // Empty = a random UUID per process.
  std::string service_instance_id;
  // Extra code-supplied attributes (win over OTEL_RESOURCE_ATTRIBUTES).
  AttributeList attributes;
};

// Parses OTEL_RESOURCE_ATTRIBUTES (`k=v,k2=v2`, percent-encoded); nullopt on
// any decoding error (the caller logs and ignores the whole variable).
std::optional<AttributeList> ParseResourceAttributes(std::string_view text);

// The process resource: telemetry.sdk.* and host/process attributes, then
// OTEL_RESOURCE_ATTRIBUTES from `env`, then the code-supplied options.
// `warnings` (optional) receives problems with the variable.
Resource MakeResource(const ResourceOptions& options, const common::Environment& env,
                      std::vector<std::string>* warnings = nullptr);

}  // namespace aura::telemetry::sdk
