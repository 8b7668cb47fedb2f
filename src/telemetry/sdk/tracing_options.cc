#include "telemetry/sdk/tracing_options.h"

#include <charconv>

#include "telemetry/sdk/resource.h"

namespace aura::telemetry::sdk {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string Trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// A non-negative integer (or positive when `positive`); nullopt + warning otherwise.
std::optional<int64_t> ReadInt(const common::Environment& env, std::string_view name, bool positive,
                               std::vector<std::string>& warnings) {
  auto v = env.Get(name);
  if (!v) return std::nullopt;
  std::string t = Trimmed(*v);
  int64_t out = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc() || p != t.data() + t.size() || out < 0 || (positive && out == 0)) {
    warnings.push_back(std::string(name) + ": '" + *v + "' is not a valid " +
                       (positive ? "positive" : "non-negative") + " integer; using the default");
    return std::nullopt;
  }
  return out;
}

void ReadLimit(const common::Environment& env, std::initializer_list<std::string_view> names,
               size_t& target, std::vector<std::string>& warnings) {
  for (std::string_view n : names) {
    if (auto v = ReadInt(env, n, false, warnings)) {
      target = static_cast<size_t>(*v);
      return;
    }
  }
}

}  // namespace

std::shared_ptr<const Sampler> ParseSampler(const common::Environment& env,
                                            std::vector<std::string>& warnings) {
  auto default_sampler = [] { return MakeParentBasedSampler(MakeAlwaysOnSampler()); };
  auto name = env.Get("OTEL_TRACES_SAMPLER");
  if (!name) return default_sampler();
  std::string n = Lower(Trimmed(*name));
  auto ratio = [&]() -> double {
    auto arg = env.Get("OTEL_TRACES_SAMPLER_ARG");
    if (!arg) return 1.0;
    std::string t = Trimmed(*arg);
    double r = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), r);
    if (ec != std::errc() || p != t.data() + t.size() || !(r >= 0.0 && r <= 1.0)) {
      warnings.push_back("OTEL_TRACES_SAMPLER_ARG: '" + *arg + "' is not a ratio in [0,1]; using 1.0");
      return 1.0;
    }
    return r;
  };
  if (n == "always_on") return MakeAlwaysOnSampler();
  if (n == "always_off") return MakeAlwaysOffSampler();
  if (n == "traceidratio") return MakeTraceIdRatioSampler(ratio());
  if (n == "parentbased_always_on") return default_sampler();
  if (n == "parentbased_always_off") return MakeParentBasedSampler(MakeAlwaysOffSampler());
  if (n == "parentbased_traceidratio") return MakeParentBasedSampler(MakeTraceIdRatioSampler(ratio()));
  warnings.push_back("OTEL_TRACES_SAMPLER: unknown sampler '" + *name + "'; using parentbased_always_on");
  return default_sampler();
}

TracingOptions ParseTracingOptions(const common::Config& config, std::string_view default_service) {
  const common::Environment& env = config.env;
  TracingOptions o;
  auto& w = o.warnings;

  // Service name (ConfigError when explicitly empty).
  if (config.telemetry.service_name.empty()) {
    throw common::ConfigError(
        "AURA_SERVER__OTEL_SERVICE_NAME (OTEL_SERVICE_NAME): service_name must be provided");
  }
  o.service_name = config.telemetry.service_name;
  if (!env.Get("AURA_SERVER__OTEL_SERVICE_NAME") && !env.Get("OTEL_SERVICE_NAME")) {
    if (!default_service.empty()) o.service_name = std::string(default_service);
    if (auto text = env.Get("OTEL_RESOURCE_ATTRIBUTES")) {
      if (auto attrs = ParseResourceAttributes(*text)) {
        for (const auto& [k, v] : *attrs) {
          if (k == "service.name" && std::holds_alternative<std::string>(v) &&
              !std::get<std::string>(v).empty()) {
            o.service_name = std::get<std::string>(v);
          }
        }
      }
    }
  }

  if (auto v = env.Get("OTEL_SDK_DISABLED")) {
    std::string l = Lower(Trimmed(*v));
    if (l == "true") {
      o.sdk_disabled = true;
    } else if (l != "false") {
      w.push_back("OTEL_SDK_DISABLED: '" + *v + "' is not true/false; the SDK stays enabled");
    }
  }

  if (auto v = env.Get("OTEL_TRACES_EXPORTER")) {
    std::string l = Lower(Trimmed(*v));
    std::string first = Trimmed(l.substr(0, l.find(',')));
    if (first == "otlp") {
      o.exporter = TracesExporterKind::kOtlp;
    } else if (first == "console") {
      o.exporter = TracesExporterKind::kConsole;
    } else if (first == "none") {
      o.exporter = TracesExporterKind::kNone;
    } else {
      w.push_back("OTEL_TRACES_EXPORTER: unknown exporter '" + *v + "'; using otlp");
    }
  }

  if (config.telemetry.sample_ratio >= 0.0) {
    o.sampler = MakeParentBasedSampler(MakeTraceIdRatioSampler(config.telemetry.sample_ratio));
  } else {
    o.sampler = ParseSampler(env, w);
  }

  if (auto v = env.Get("OTEL_PROPAGATORS")) o.propagators = *v;

  if (auto v = ReadInt(env, "OTEL_BSP_SCHEDULE_DELAY", false, w)) {
    o.bsp.schedule_delay = std::chrono::milliseconds(*v);
    o.schedule_delay_set = true;
  }
  if (auto v = ReadInt(env, "OTEL_BSP_EXPORT_TIMEOUT", false, w)) o.bsp.export_timeout = std::chrono::milliseconds(*v);
  if (auto v = ReadInt(env, "OTEL_BSP_MAX_QUEUE_SIZE", true, w)) o.bsp.max_queue_size = static_cast<size_t>(*v);
  if (auto v = ReadInt(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", true, w)) {
    o.bsp.max_export_batch_size = static_cast<size_t>(*v);
  }
  if (o.bsp.max_export_batch_size > o.bsp.max_queue_size) {
    w.push_back("OTEL_BSP_MAX_EXPORT_BATCH_SIZE exceeds OTEL_BSP_MAX_QUEUE_SIZE; clamped to it");
    o.bsp.max_export_batch_size = o.bsp.max_queue_size;
  }

  ReadLimit(env, {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"}, o.limits.attribute_count, w);
  ReadLimit(env, {"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"},
            o.limits.attribute_value_length, w);
  ReadLimit(env, {"OTEL_SPAN_EVENT_COUNT_LIMIT"}, o.limits.event_count, w);
  ReadLimit(env, {"OTEL_SPAN_LINK_COUNT_LIMIT"}, o.limits.link_count, w);
  ReadLimit(env, {"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT"}, o.limits.attributes_per_event, w);
  ReadLimit(env, {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT"}, o.limits.attributes_per_link, w);
  return o;
}

}  // namespace aura::telemetry::sdk
