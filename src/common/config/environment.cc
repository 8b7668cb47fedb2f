#include "common/config/environment.h"

#include <fstream>
#include <sstream>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace aura::common {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::map<std::string, std::string> Environment::ParseDotenv(std::string_view text) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = Trim(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw ConfigError(".env line " + std::to_string(line_no) + ": expected KEY=VALUE");
    }
    std::string key(Trim(line.substr(0, eq)));
    std::string_view value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (size_t hash = value.find(" #"); hash != std::string_view::npos) {
      value = Trim(value.substr(0, hash));
    }
    out[key] = std::string(value);
  }
  return out;
}

Environment Environment::FromProcess(const std::string& dotenv_path) {
  Environment env;
  std::ifstream in(dotenv_path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    for (auto& [k, v] : ParseDotenv(ss.str())) env.values_[k] = v;
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.values_[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  return env;
}

Environment Environment::FromMap(std::map<std::string, std::string> values) {
  Environment env;
  for (auto& [k, v] : values) env.values_[k] = v;
  return env;
}

std::optional<std::string> Environment::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<std::pair<std::string, std::string>> Environment::GetFirst(
    std::initializer_list<std::string_view> names) const {
  for (std::string_view n : names) {
    if (auto v = Get(n)) return std::make_pair(std::string(n), *v);
  }
  return std::nullopt;
}

}  // namespace aura::common
