#include "clients/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <thread>

namespace aura::clients {
namespace {

using std::chrono::milliseconds;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "https://host:port" part of a URL, for error messages that must not carry
// paths or query strings.
std::string HostOf(std::string_view url) {
  auto scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  auto end = url.find_first_of("/?#", start);
  std::string_view authority = url.substr(0, end == std::string_view::npos ? url.size() : end);
  // Drop user:password@ if someone put credentials into the URL.
  auto at = authority.find('@', start);
  if (at != std::string_view::npos) {
    return std::string(authority.substr(0, start)) + std::string(authority.substr(at + 1));
  }
  return std::string(authority);
}

struct Collector {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collector*>(user);
  const size_t bytes = size * n;
  if (c->body.size() + bytes > c->max_bytes) {
    c->too_large = true;
    return 0;  // makes curl fail the transfer
  }
  c->body.append(data, bytes);
  return bytes;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collector*>(user);
  const size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    c->headers.clear();  // a new response (e.g. after 100 Continue)
    return bytes;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    c->headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                            std::string(Trim(line.substr(colon + 1))));
  }
  return bytes;
}

bool Retryable(int status) { return status == 429 || (status >= 500 && status <= 599); }

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  const std::string key = Lower(name);
  std::optional<std::string> found;
  for (const auto& [k, v] : headers) {
    if (k == key) found = v;
  }
  return found;
}

// Idle curl easy handles. Each keeps its own connection cache, so reusing a
// handle reuses its kept-alive connection.
struct HttpClient::HandlePool {
  std::mutex mu;
  std::vector<CURL*> idle;  // guarded by mu

  ~HandlePool() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }
  CURL* Acquire() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Release(CURL* h) {
    curl_easy_reset(h);  // keeps live connections, DNS and TLS session caches
    std::lock_guard lock(mu);
    if (idle.size() < 64) {
      idle.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }
};

struct HttpClient::Attempt {
  // Set when the exchange completed (any HTTP status).
  std::optional<HttpResponse> response;
  // Set when it did not.
  common::Status error;
  bool timed_out = false;
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), pool_(std::make_unique<HandlePool>()) {
  GlobalInitOnce();
  rng_.seed(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}());
  if (options_.retry.max_attempts < 1) options_.retry.max_attempts = 1;
}

HttpClient::~HttpClient() = default;

HttpClientStats HttpClient::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

milliseconds HttpClient::BackoffFor(int retry_index) {
  const RetryPolicy& p = options_.retry;
  double base = static_cast<double>(p.initial_backoff.count()) *
                std::pow(p.multiplier, static_cast<double>(retry_index));
  base = std::min(base, static_cast<double>(p.max_backoff.count()));
  const double jitter = std::clamp(p.jitter, 0.0, 1.0);
  double u;
  {
    std::lock_guard lock(mu_);
    u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  return milliseconds(static_cast<int64_t>(base * (1.0 - jitter * u)));
}

HttpClient::Attempt HttpClient::AttemptOnce(const HttpRequest& request, milliseconds timeout) {
  Attempt attempt;
  CURL* h = pool_->Acquire();
  if (h == nullptr) {
    attempt.error = common::InternalError("curl_easy_init failed");
    return attempt;
  }
  Collector collector;
  collector.max_bytes = options_.max_response_bytes;
  curl_slist* header_list = nullptr;
  for (const auto& [k, v] : request.headers) {
    header_list = curl_slist_append(header_list, (k + ": " + v).c_str());
  }
  // libcurl would otherwise send "Expect: 100-continue" for larger bodies and
  // wait for the server's go-ahead.
  header_list = curl_slist_append(header_list, "Expect:");

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, timeout.count())));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(
                       1, std::min(timeout.count(), options_.connect_timeout.count()))));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &collector);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &collector);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_slist_free_all(header_list);
    pool_->Release(h);
    attempt.error = common::InvalidArgumentError("unsupported HTTP method " + request.method);
    return attempt;
  }

  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(header_list);
  const std::string host = HostOf(request.url);
  if (rc == CURLE_OK) {
    HttpResponse response;
    response.status = static_cast<int>(status);
    response.headers = std::move(collector.headers);
    response.body = std::move(collector.body);
    attempt.response = std::move(response);
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    attempt.timed_out = true;
    attempt.error = common::DeadlineExceededError("HTTP call to " + host + " timed out after " +
                                                  std::to_string(timeout.count()) + " ms");
  } else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    attempt.error = common::InvalidArgumentError("malformed URL for " + host);
  } else if (collector.too_large) {
    attempt.error = common::ResourceExhaustedError("HTTP response from " + host + " exceeds " +
                                                   std::to_string(options_.max_response_bytes) +
                                                   " bytes");
  } else {
    attempt.error = common::UnavailableError("HTTP call to " + host +
                                             " failed: " + curl_easy_strerror(rc));
  }
  pool_->Release(h);
  return attempt;
}

common::Result<HttpResponse> HttpClient::Send(const HttpRequest& request, Deadline deadline) {
  {
    std::lock_guard lock(mu_);
    ++stats_.calls;
  }
  const common::Clock& clock =
      options_.clock != nullptr ? *options_.clock : common::SystemClock::Instance();
  common::Status last_error = common::DeadlineExceededError("deadline passed before the call");
  std::optional<HttpResponse> last_response;
  const int max_attempts = options_.retry.max_attempts;
  for (int attempt_no = 1; attempt_no <= max_attempts; ++attempt_no) {
    const milliseconds left = deadline.Remaining();
    if (left.count() <= 0) break;
    if (options_.breaker != nullptr && !options_.breaker->Allow()) {
      std::lock_guard lock(mu_);
      ++stats_.breaker_rejections;
      return common::UnavailableError("circuit breaker open for " + HostOf(request.url));
    }
    {
      std::lock_guard lock(mu_);
      ++stats_.attempts;
      if (attempt_no > 1) ++stats_.retries;
    }
    Attempt attempt = AttemptOnce(request, std::min(left, options_.attempt_timeout));
    std::optional<milliseconds> retry_after;
    if (attempt.response) {
      attempt.response->attempts = attempt_no;
      const int status = attempt.response->status;
      if (options_.breaker != nullptr) {
        Retryable(status) ? options_.breaker->RecordFailure() : options_.breaker->RecordSuccess();
      }
      if (!Retryable(status)) return std::move(*attempt.response);
      if (auto ra = attempt.response->Header("retry-after")) {
        retry_after = ParseRetryAfter(*ra, clock.Now());
      }
      last_error = common::UnavailableError("HTTP " + std::to_string(status) + " from " +
                                            HostOf(request.url));
      last_response = std::move(attempt.response);
    } else {
      if (attempt.error.code() == common::StatusCode::kInvalidArgument ||
          attempt.error.code() == common::StatusCode::kInternal) {
        if (options_.breaker != nullptr) options_.breaker->RecordSuccess();  // not the server's fault
        return attempt.error;
      }
      if (options_.breaker != nullptr) options_.breaker->RecordFailure();
      {
        std::lock_guard lock(mu_);
        ++stats_.transport_errors;
      }
      last_error = attempt.error;
      last_response.reset();
    }
    if (attempt_no == max_attempts) break;
    milliseconds wait = BackoffFor(attempt_no - 1);
    if (retry_after) {
      if (*retry_after > options_.retry.max_retry_after) break;
      wait = std::max(wait, *retry_after);
    }
    if (wait >= deadline.Remaining()) {
      // Waiting would outlive the deadline: give up now instead of sleeping
      // into a certain timeout.
      if (!last_response) {
        return common::DeadlineExceededError(last_error.message() +
                                             "; no time left for another attempt");
      }
      break;
    }
    std::this_thread::sleep_for(wait);
  }
  if (last_response) return std::move(*last_response);
  return last_error;
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value,
                                            std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return milliseconds(INT64_MAX / 2);  // absurdly large: treat as "too long"
    }
    if (seconds > INT64_MAX / 2000) return milliseconds(INT64_MAX / 2);
    return milliseconds(seconds * 1000);
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(when);
  if (at <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(at - now);
}

std::string ScrubSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), "[REDACTED]");
      pos += 10;
    }
  }
  return text;
}

}  // namespace aura::clients
