// W3C Trace Context and Baggage parsing and formatting, and the global propagator.
#include <atomic>
#include <mutex>

#include "telemetry/api/propagator.h"
#include "telemetry/api/trace_state.h"

namespace aura::telemetry {
namespace {

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// Splits on `sep`, calling f(piece) for every piece (empty ones included).
template <class F>
void Split(std::string_view s, char sep, F&& f) {
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      f(s.substr(start));
      return;
    }
    f(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// All values of `key`, joined with `,`; `count` receives the number of fields.
std::string JoinedField(const TextMapCarrier& carrier, std::string_view key, int* count) {
  std::string joined;
  int n = 0;
  carrier.GetAll(key, [&](std::string_view v) {
    if (n++ > 0) joined.push_back(',');
    joined.append(v);
  });
  if (count != nullptr) *count = n;
  return joined;
}

}  // namespace

// ---- TraceState ----

bool TraceState::IsValidKey(std::string_view key) noexcept {
  if (key.empty() || key.size() > 256) return false;
  char first = key[0];
  if (!((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9'))) return false;
  for (char c : key.substr(1)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' ||
              c == '/' || c == '@';
    if (!ok) return false;
  }
  return true;
}

bool TraceState::IsValidValue(std::string_view value) noexcept {
  if (value.empty() || value.size() > 256) return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
  }
  return value.back() != ' ';
}

std::optional<TraceState> TraceState::Parse(std::string_view header) {
  TraceState ts;
  bool ok = true;
  size_t count = 0;
  Split(header, ',', [&](std::string_view member) {
    if (!ok) return;
    member = Trim(member);
    if (member.empty()) return;
    size_t eq = member.find('=');
    if (eq == std::string_view::npos) {
      ok = false;
      return;
    }
    std::string_view key = member.substr(0, eq);
    std::string_view value = member.substr(eq + 1);
    if (!IsValidKey(key) || !IsValidValue(value)) {
      ok = false;
      return;
    }
    if (++count > kMaxMembers) {
      ok = false;
      return;
    }
    if (!ts.Get(key)) ts.members_.emplace_back(std::string(key), std::string(value));
  });
  if (!ok) return std::nullopt;
  return ts;
}

std::optional<std::string_view> TraceState::Get(std::string_view key) const noexcept {
  for (const auto& [k, v] : members_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

TraceState TraceState::Set(std::string_view key, std::string_view value) const {
  if (!IsValidKey(key) || !IsValidValue(value)) return *this;
  TraceState next;
  next.members_.reserve(members_.size() + 1);
  next.members_.emplace_back(std::string(key), std::string(value));
  for (const auto& m : members_) {
    if (m.first != key) next.members_.push_back(m);
  }
  if (next.members_.size() > kMaxMembers) next.members_.resize(kMaxMembers);
  return next;
}

TraceState TraceState::Delete(std::string_view key) const {
  TraceState next;
  for (const auto& m : members_) {
    if (m.first != key) next.members_.push_back(m);
  }
  return next;
}

std::string TraceState::ToHeader() const {
  std::string out;
  for (const auto& [k, v] : members_) {
    if (!out.empty()) out.push_back(',');
    out.append(k).push_back('=');
    out.append(v);
  }
  return out;
}

// ---- W3C traceparent ----

std::optional<SpanContext> TraceContextPropagator::ParseTraceparent(std::string_view value) noexcept {
  value = Trim(value);
  if (value.size() < 55) return std::nullopt;
  int v_hi = internal::LowerHexValue(value[0]);
  int v_lo = internal::LowerHexValue(value[1]);
  if (v_hi < 0 || v_lo < 0) return std::nullopt;
  int version = v_hi << 4 | v_lo;
  if (version == 0xff) return std::nullopt;
  if (version == 0 && value.size() != 55) return std::nullopt;
  if (version > 0 && value.size() > 55 && value[55] != '-') return std::nullopt;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  auto trace_id = TraceId::FromHex(value.substr(3, 32));
  auto span_id = SpanId::FromHex(value.substr(36, 16));
  int f_hi = internal::LowerHexValue(value[53]);
  int f_lo = internal::LowerHexValue(value[54]);
  if (!trace_id || !span_id || f_hi < 0 || f_lo < 0) return std::nullopt;
  if (!trace_id->IsValid() || !span_id->IsValid()) return std::nullopt;
  SpanContext ctx;
  ctx.trace_id = *trace_id;
  ctx.span_id = *span_id;
  ctx.trace_flags = static_cast<uint8_t>(f_hi << 4 | f_lo);
  ctx.is_remote = true;
  return ctx;
}

std::string TraceContextPropagator::FormatTraceparent(const SpanContext& context) {
  std::string out(55, '-');
  out[0] = '0';
  out[1] = '0';
  context.trace_id.ToHex(out.data() + 3);
  context.span_id.ToHex(out.data() + 36);
  uint8_t flags = context.trace_flags & (kTraceFlagSampled | kTraceFlagRandom);
  out[53] = internal::kHexDigits[flags >> 4];
  out[54] = internal::kHexDigits[flags & 0xF];
  return out;
}

void TraceContextPropagator::Inject(TextMapCarrier& carrier, const Context& context) const noexcept {
  const SpanContext& sc = context.span_context;
  if (!sc.IsValid()) return;
  try {
    carrier.Set("traceparent", FormatTraceparent(sc));
    if (!sc.trace_state.empty()) carrier.Set("tracestate", sc.trace_state);
  } catch (...) {
  }
}

Context TraceContextPropagator::Extract(const TextMapCarrier& carrier, Context base) const noexcept {
  try {
    int count = 0;
    std::string traceparent = JoinedField(carrier, "traceparent", &count);
    if (count != 1) return base;  // absent, or several fields: invalid
    std::optional<SpanContext> sc = ParseTraceparent(traceparent);
    if (!sc) return base;
    int ts_count = 0;
    std::string tracestate = JoinedField(carrier, "tracestate", &ts_count);
    if (ts_count > 0) {
      if (auto ts = TraceState::Parse(tracestate)) sc->trace_state = ts->ToHeader();
    }
    base.span_context = std::move(*sc);
  } catch (...) {
  }
  return base;
}

// ---- W3C baggage ----

namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// baggage-octet: 0x21, 0x23-0x2B, 0x2D-0x3A, 0x3C-0x5B, 0x5D-0x7E.
bool IsBaggageOctet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string SanitizeUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= in.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len == 2 && c < 0xC2) ok = false;  // overlong
    if (ok && len == 3) {
      unsigned char c1 = static_cast<unsigned char>(in[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) ok = false;
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(in[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) ok = false;
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

// Percent-decodes a baggage value; nullopt on a character outside the grammar.
std::optional<std::string> DecodeValue(std::string_view v) {
  std::string raw;
  raw.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (!IsBaggageOctet(c)) return std::nullopt;
    if (c == '%' && i + 2 < v.size() && HexValue(v[i + 1]) >= 0 && HexValue(v[i + 2]) >= 0) {
      raw.push_back(static_cast<char>(HexValue(v[i + 1]) << 4 | HexValue(v[i + 2])));
      i += 2;
    } else {
      raw.push_back(static_cast<char>(c));
    }
  }
  return SanitizeUtf8(raw);
}

void EncodeValue(std::string_view v, std::string& out) {
  static constexpr char kUpperHex[] = "0123456789ABCDEF";
  for (char ch : v) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (IsBaggageOctet(c) && c != '%') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kUpperHex[c >> 4]);
      out.push_back(kUpperHex[c & 0xF]);
    }
  }
}

}  // namespace

Baggage BaggagePropagator::ParseHeader(std::string_view header) {
  Baggage baggage;
  size_t members = 0;
  size_t bytes = 0;
  Split(header, ',', [&](std::string_view member) {
    std::string_view trimmed = Trim(member);
    if (trimmed.empty()) return;
    if (members >= kMaxMembers || bytes + trimmed.size() > kMaxBytes) return;  // whole members only
    size_t semi = trimmed.find(';');
    std::string_view kv = trimmed.substr(0, semi);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return;
    std::string_view key = Trim(kv.substr(0, eq));
    std::string_view value = Trim(kv.substr(eq + 1));
    if (key.empty()) return;
    for (char c : key) {
      if (!IsTokenChar(c)) return;
    }
    std::optional<std::string> decoded = DecodeValue(value);
    if (!decoded) return;
    std::string metadata;
    if (semi != std::string_view::npos) {
      Split(trimmed.substr(semi + 1), ';', [&](std::string_view prop) {
        prop = Trim(prop);
        if (prop.empty()) return;
        size_t peq = prop.find('=');
        std::string normalized;
        if (peq == std::string_view::npos) {
          normalized = std::string(prop);
        } else {
          normalized = std::string(Trim(prop.substr(0, peq))) + "=" + std::string(Trim(prop.substr(peq + 1)));
        }
        if (!metadata.empty()) metadata.push_back(';');
        metadata += normalized;
      });
    }
    baggage = baggage.Set(key, *decoded, metadata);
    ++members;
    bytes += trimmed.size();
  });
  return baggage;
}

std::string BaggagePropagator::FormatHeader(const Baggage& baggage) {
  std::string out;
  for (const Baggage::Entry& e : baggage.entries()) {
    if (!out.empty()) out.push_back(',');
    out.append(e.key).push_back('=');
    EncodeValue(e.value, out);
    if (!e.metadata.empty()) out.append(";").append(e.metadata);
  }
  return out;
}

void BaggagePropagator::Inject(TextMapCarrier& carrier, const Context& context) const noexcept {
  if (context.baggage.empty()) return;
  try {
    carrier.Set("baggage", FormatHeader(context.baggage));
  } catch (...) {
  }
}

Context BaggagePropagator::Extract(const TextMapCarrier& carrier, Context base) const noexcept {
  try {
    int count = 0;
    std::string header = JoinedField(carrier, "baggage", &count);
    if (count == 0) return base;
    Baggage parsed = ParseHeader(header);
    if (!parsed.empty()) base.baggage = std::move(parsed);
  } catch (...) {
  }
  return base;
}

// ---- composition and the global propagator ----

std::unique_ptr<TextMapPropagator> MakePropagator(std::string_view list, std::vector<std::string>* unknown) {
  std::vector<std::unique_ptr<TextMapPropagator>> parts;
  bool have_tc = false, have_bg = false, none = false;
  Split(list, ',', [&](std::string_view name) {
    std::string n(Trim(name));
    for (char& c : n) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (n.empty()) return;
    if (n == "none") {
      none = true;
    } else if (n == "tracecontext") {
      if (!have_tc) parts.push_back(std::make_unique<TraceContextPropagator>());
      have_tc = true;
    } else if (n == "baggage") {
      if (!have_bg) parts.push_back(std::make_unique<BaggagePropagator>());
      have_bg = true;
    } else if (unknown != nullptr) {
      unknown->push_back(n);
    }
  });
  if (none) parts.clear();
  return std::make_unique<CompositePropagator>(std::move(parts));
}

namespace {
struct PropagatorRegistry {
  std::mutex mu;
  std::vector<std::unique_ptr<TextMapPropagator>> all;  // kept until exit: callers hold references
  std::atomic<const TextMapPropagator*> current{nullptr};
};
PropagatorRegistry& GetPropagatorRegistry() {
  static PropagatorRegistry* r = [] {
    auto* reg = new PropagatorRegistry();
    reg->all.push_back(MakePropagator("tracecontext,baggage"));
    reg->current.store(reg->all.back().get());
    return reg;
  }();
  return *r;
}
}  // namespace

const TextMapPropagator& GlobalPropagator() noexcept {
  return *GetPropagatorRegistry().current.load(std::memory_order_acquire);
}

void SetGlobalPropagator(std::unique_ptr<TextMapPropagator> propagator) noexcept {
  if (propagator == nullptr) return;
  PropagatorRegistry& r = GetPropagatorRegistry();
  std::lock_guard lock(r.mu);
  r.all.push_back(std::move(propagator));
  r.current.store(r.all.back().get(), std::memory_order_release);
}

}  // namespace aura::telemetry
