#include "telemetry/api/redis_span.h"

#include <array>
#include <cctype>

namespace aura::telemetry {
namespace {

// An option keyword kept in db.query.text, and how many arguments follow it
// (always masked).
struct Keyword {
  std::string_view name;
  int arguments;
};
constexpr std::array<Keyword, 15> kKeywords{{
    {"EX", 1}, {"PX", 1}, {"EXAT", 1}, {"PXAT", 1}, {"KEEPTTL", 0}, {"GET", 0}, {"PERSIST", 0},
    {"NX", 0}, {"XX", 0}, {"GT", 0}, {"LT", 0},
    {"MATCH", 1}, {"COUNT", 1}, {"TYPE", 1}, {"NOVALUES", 0},
}};

// Commands whose trailing arguments are options, and where those start;
// before that every argument is a key, value or cursor.
struct OptionStart {
  std::string_view command;
  size_t index;
};
constexpr std::array<OptionStart, 8> kOptionStarts{{
    {"SET", 3}, {"GETEX", 2}, {"EXPIRE", 3}, {"PEXPIRE", 3}, {"SCAN", 2}, {"HSCAN", 3},
    {"SSCAN", 3}, {"ZSCAN", 3},
}};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const Keyword* FindKeyword(std::string_view word) {
  if (word.size() > 8) return nullptr;
  const std::string upper = Upper(word);
  for (const Keyword& k : kKeywords) {
    if (k.name == upper) return &k;
  }
  return nullptr;
}

template <typename Arg>
std::string Mask(std::span<const Arg> command) {
  if (command.empty()) return {};
  std::string out = Upper(std::string_view(command[0]));
  size_t options_from = command.size();  // none: every argument is masked
  for (const OptionStart& o : kOptionStarts) {
    if (o.command == out) options_from = o.index;
  }
  for (size_t i = 1; i < command.size(); ++i) {
    const Keyword* keyword = i >= options_from ? FindKeyword(std::string_view(command[i])) : nullptr;
    if (keyword == nullptr) {
      out += " ?";
      continue;
    }
    out += ' ';
    out += keyword->name;
    for (int a = 0; a < keyword->arguments && i + 1 < command.size(); ++a, ++i) out += " ?";
  }
  return out;
}

// `query_text` is called only when the span records.
template <typename Arg, typename QueryText>
Span StartSpan(const Tracer& tracer, std::span<const Arg> first, size_t commands,
               const QueryText& query_text, const RedisEndpoint& endpoint) {
  std::string operation = commands == 1 && !first.empty() ? Upper(std::string_view(first[0])) : "PIPELINE";
  Span span = tracer.StartSpan(operation, {.kind = SpanKind::kClient});
  if (!span.IsRecording()) return span;
  span.SetAttribute("db.system.name", "redis")
      .SetAttribute("db.system", "redis")
      .SetAttribute("db.operation.name", operation)
      .SetAttribute("db.query.text", query_text())
      .SetAttribute("db.namespace", std::to_string(endpoint.db));
  if (!endpoint.host.empty()) {
    span.SetAttribute("server.address", endpoint.host).SetAttribute("server.port", endpoint.port);
  }
  if (commands > 1) span.SetAttribute("db.operation.batch.size", commands);
  return span;
}

}  // namespace

std::string RedisQueryText(std::span<const std::string_view> command) { return Mask(command); }
std::string RedisQueryText(std::span<const std::string> command) { return Mask(command); }
std::string RedisQueryText(std::initializer_list<std::string_view> command) {
  return Mask(std::span<const std::string_view>(command.begin(), command.size()));
}

std::string RedisQueryText(std::span<const std::vector<std::string>> pipeline) {
  std::string out;
  for (const auto& command : pipeline) {
    if (!out.empty()) out += "; ";
    out += Mask(std::span<const std::string>(command));
  }
  return out;
}

Span StartRedisSpan(const Tracer& tracer, std::span<const std::vector<std::string>> pipeline,
                    const RedisEndpoint& endpoint) noexcept {
  try {
    std::span<const std::string> first;
    if (!pipeline.empty()) first = pipeline.front();
    return StartSpan(tracer, first, pipeline.size(), [&] { return RedisQueryText(pipeline); }, endpoint);
  } catch (...) {  // allocation failure: no span rather than an exception
    return Span();
  }
}

Span StartRedisSpan(const Tracer& tracer, std::initializer_list<std::string_view> command,
                    const RedisEndpoint& endpoint) noexcept {
  try {
    std::span<const std::string_view> args(command.begin(), command.size());
    return StartSpan(tracer, args, 1, [&] { return Mask(args); }, endpoint);
  } catch (...) {
    return Span();
  }
}

}  // namespace aura::telemetry
