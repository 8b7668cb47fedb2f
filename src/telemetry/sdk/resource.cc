#include "telemetry/sdk/resource.h"
#include "common/text/percent_decode.h"

#include <unistd.h>

#include <fstream>
#include <random>

namespace aura::telemetry::sdk {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void Put(AttributeList& list, std::string key, AttributeValue value) {
  for (auto& [k, v] : list) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  list.emplace_back(std::move(key), std::move(value));
}

std::string ExecutableName() {
  std::ifstream in("/proc/self/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::string RandomUuid() {
  std::random_device rd;
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(rd());
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 0xF]);
  }
  return s;
}

}  // namespace

const AttributeValue* Resource::Find(std::string_view key) const noexcept {
  for (const auto& [k, v] : attributes_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string Resource::Get(std::string_view key) const {
  const AttributeValue* v = Find(key);
  if (v == nullptr) return "";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return "";
}

Resource Resource::Merge(const Resource& other) const {
  AttributeList merged = attributes_;
  for (const auto& [k, v] : other.attributes_) Put(merged, k, v);
  return Resource(std::move(merged));
}

std::optional<AttributeList> ParseResourceAttributes(std::string_view text) {
  AttributeList out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view member =
        Trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!member.empty()) {
      size_t eq = member.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      auto key = common::PercentDecode(Trim(member.substr(0, eq)));
      auto value = common::PercentDecode(Trim(member.substr(eq + 1)));
      if (!key || !value || key->empty()) return std::nullopt;
      Put(out, std::move(*key), std::move(*value));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Resource MakeResource(const ResourceOptions& options, const common::Environment& env,
                      std::vector<std::string>* warnings) {
  AttributeList attrs;
  Put(attrs, "telemetry.sdk.language", std::string("cpp"));
  Put(attrs, "telemetry.sdk.name", std::string(kSdkName));
  Put(attrs, "telemetry.sdk.version", std::string(kSdkVersion));
  if (std::string host = HostName(); !host.empty()) Put(attrs, "host.name", host);
  Put(attrs, "process.pid", static_cast<int64_t>(getpid()));
  std::string exe = ExecutableName();
  Put(attrs, "service.name", exe.empty() ? std::string("unknown_service")
                                         : "unknown_service:" + exe);
  if (auto text = env.Get("OTEL_RESOURCE_ATTRIBUTES")) {
    if (auto parsed = ParseResourceAttributes(*text)) {
      for (auto& [k, v] : *parsed) Put(attrs, k, v);
    } else if (warnings != nullptr) {
      warnings->push_back("OTEL_RESOURCE_ATTRIBUTES could not be decoded; ignored");
    }
  }
  if (!options.service_name.empty()) Put(attrs, "service.name", options.service_name);
  if (!options.service_version.empty()) Put(attrs, "service.version", options.service_version);
  if (!options.service_instance_id.empty()) {
    Put(attrs, "service.instance.id", options.service_instance_id);
  } else if (Resource(attrs).Find("service.instance.id") == nullptr) {
    Put(attrs, "service.instance.id", RandomUuid());
  }
  for (const auto& [k, v] : options.attributes) Put(attrs, k, v);
  return Resource(std::move(attrs));
}

}  // namespace aura::telemetry::sdk
