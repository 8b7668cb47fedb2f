#include "core/status/system_status.h"

#include <curl/curl.h>

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/log/log.h"

namespace aura::core {
namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > 1024 * 1024) return 0;  // a status answer is tiny; refuse floods
  body->append(data, size * n);
  return size * n;
}

// One instant query; the single sample's value, or nullopt with `error` set.
std::optional<double> InstantQuery(const std::string& base, const std::string& promql,
                                   std::chrono::milliseconds timeout, std::string& error) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    error = "curl_easy_init failed";
    return std::nullopt;
  }
  char* escaped = curl_easy_escape(curl, promql.c_str(), static_cast<int>(promql.size()));
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/api/v1/query?query=";
  url += escaped;
  curl_free(escaped);
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  long http_status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    error = curl_easy_strerror(rc);
    return std::nullopt;
  }
  if (http_status != 200) {
    error = "HTTP " + std::to_string(http_status);
    return std::nullopt;
  }
  try {
    auto json = nlohmann::json::parse(body);
    if (json.value("status", "") != "success") {
      error = "query failed: " + json.value("error", "unknown");
      return std::nullopt;
    }
    const auto& result = json.at("data").at("result");
    if (!result.is_array() || result.empty()) {
      error = "no samples for " + promql;
      return std::nullopt;
    }
    double v = std::stod(result.at(0).at("value").at(1).get<std::string>());
    if (!std::isfinite(v)) {
      error = "non-finite value for " + promql;
      return std::nullopt;
    }
    return v;
  } catch (const std::exception& e) {
    error = std::string("bad response: ") + e.what();
    return std::nullopt;
  }
}

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

std::string IsoTimestamp(common::Clock::TimePoint t) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
  std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(micros));
  return buf;
}

SystemStatus LocalSystemStatus::Get() {
  common::ProcessStats::Sample s = stats_.Read();
  return {.status = "ok",
          .cpu_usage_percent = Round2(s.cpu_percent),
          .memory_usage_mb = Round2(s.resident_mb()),
          .timestamp = IsoTimestamp(clock_.Now()),
          .cached = false};
}

PrometheusSystemStatus::PrometheusSystemStatus(PrometheusSystemStatusOptions options,
                                               const common::Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

std::optional<SystemStatus> PrometheusSystemStatus::Query(std::string& error) {
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  auto cpu = InstantQuery(options_.url, options_.cpu_query, options_.timeout, error);
  if (!cpu) return std::nullopt;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) {
    error = "timeout";
    return std::nullopt;
  }
  auto mem = InstantQuery(options_.url, options_.memory_query, left, error);
  if (!mem) return std::nullopt;
  return SystemStatus{.status = "ok",
                      .cpu_usage_percent = Round2(*cpu),
                      .memory_usage_mb = Round2(*mem),
                      .timestamp = IsoTimestamp(clock_.Now()),
                      .cached = false};
}

SystemStatus PrometheusSystemStatus::Get() {
  auto cached_copy = [this]() -> std::optional<SystemStatus> {
    std::lock_guard lock(cache_mu_);
    if (!cache_) return std::nullopt;
    SystemStatus s = *cache_;
    s.cached = true;
    return s;
  };
  {
    std::lock_guard lock(cache_mu_);
    if (cache_ && clock_.Now() - cached_at_ < options_.cache_ttl) {
      SystemStatus s = *cache_;
      s.cached = true;
      return s;
    }
  }
  std::unique_lock query_lock(query_mu_, std::try_to_lock);
  if (!query_lock.owns_lock()) {
    // Someone is asking Prometheus right now: serve the cache rather than queue.
    if (auto s = cached_copy()) return *s;
    query_lock.lock();
    std::lock_guard lock(cache_mu_);
    if (cache_ && clock_.Now() - cached_at_ < options_.cache_ttl) {
      SystemStatus s = *cache_;
      s.cached = true;
      return s;
    }
  }
  std::string error;
  if (std::optional<SystemStatus> fresh = Query(error)) {
    std::lock_guard lock(cache_mu_);
    cache_ = fresh;
    cached_at_ = clock_.Now();
    return *fresh;
  }
  AURA_LOG_WARNING("system_status.prometheus_failed").With("error", error).With("url", options_.url);
  if (auto s = cached_copy()) return *s;
  return {.status = "error", .cpu_usage_percent = 0, .memory_usage_mb = 0,
          .timestamp = IsoTimestamp(clock_.Now()), .cached = false};
}

std::unique_ptr<SystemStatusSource> MakeSystemStatusSource(const SystemStatusOptions& options) {
  if (options.prometheus_url.empty()) return std::make_unique<LocalSystemStatus>();
  return std::make_unique<PrometheusSystemStatus>(PrometheusSystemStatusOptions{
      .url = options.prometheus_url, .timeout = options.timeout, .cache_ttl = options.cache_ttl});
}

}  // namespace aura::core
