// File: common/config/environment.h
//
// Environment: a snapshot of configuration variables, taken from the process
// environment and an optional `.env` file (real environment variables win).
// This is the only place in Aura Hive that reads the environment; everything
// else receives an Environment or a parsed options struct, so tests can build
// any configuration without touching the process.
//
//   Environment env = Environment::FromProcess();         // reads ./.env too
//   Environment env = Environment::FromMap({{"HTTP_PORT", "9000"}});
//   std::optional<std::string> v = env.Get("AURA_DATABASE__URL");
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aura::common {

// Thrown at start-up only, for a configuration that cannot be used. The
// message names the variable and what is wrong with its value.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown at start-up only, for a resource that cannot be opened (a port in use,
// a database that refuses the schema).
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Immutable after construction; thread-safe to read.
class Environment {
 public:
  // The process environment merged over the `.env` file at `dotenv_path`
  // (missing file = nothing). Throws ConfigError for an unreadable line.
  static Environment FromProcess(const std::string& dotenv_path = ".env");
  static Environment FromMap(std::map<std::string, std::string> values);

  // The value of `name`; an empty value counts as unset.
  std::optional<std::string> Get(std::string_view name) const;
  // The first of `names` that is set, with the name that matched.
  std::optional<std::pair<std::string, std::string>> GetFirst(
      std::initializer_list<std::string_view> names) const;
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

  // Parses `.env` text: `KEY=VALUE` lines, `#` comments, optional `export `,
  // single or double quotes around the value. Throws ConfigError naming the line.
  static std::map<std::string, std::string> ParseDotenv(std::string_view text);

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace aura::common
