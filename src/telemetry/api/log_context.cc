#include "telemetry/api/log_context.h"

#include "telemetry/api/context.h"

namespace aura::telemetry {

void AppendLogContext(std::string& out) {
  const SpanContext* sc = CurrentSpanContext();
  if (sc == nullptr || !sc->IsValid()) return;
  char trace[32], span[16];
  sc->trace_id.ToHex(trace);
  sc->span_id.ToHex(span);
  out.append(",\"trace_id\":\"").append(trace, 32);
  out.append("\",\"span_id\":\"").append(span, 16);
  uint8_t flags = sc->trace_flags & (kTraceFlagSampled | kTraceFlagRandom);
  out.append("\",\"trace_flags\":\"");
  out.push_back(internal::kHexDigits[flags >> 4]);
  out.push_back(internal::kHexDigits[flags & 0xF]);
  out.push_back('"');
}

}  // namespace aura::telemetry
