#include "telemetry/exporters/console/console_span_exporter.h"

#include <cstdio>
#include <string>

#include "telemetry/sdk/span_json.h"

namespace aura::telemetry::exporters {

sdk::ExportResult ConsoleSpanExporter::Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept {
  if (shutdown_.load()) return sdk::ExportResult::kFailure;
  try {
    std::lock_guard lock(mu_);
    for (const auto& s : spans) {
      std::string line;
      sdk::AppendSpanJson(*s, line);
      if (sink_) {
        sink_(line);
      } else {
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stderr);
      }
    }
  } catch (...) {
    return sdk::ExportResult::kFailure;
  }
  return sdk::ExportResult::kSuccess;
}

bool ConsoleSpanExporter::ForceFlush(std::chrono::milliseconds) noexcept {
  std::lock_guard lock(mu_);
  if (!sink_) std::fflush(stderr);
  return true;
}

}  // namespace aura::telemetry::exporters
