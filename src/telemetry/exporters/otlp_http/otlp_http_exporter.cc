#include "telemetry/exporters/otlp_http/otlp_http_exporter.h"

#include <curl/curl.h>

#include <charconv>
#include <ctime>

#include "common/log/log.h"
#include "telemetry/exporters/otlp_common/otlp_encoder.h"
#include "telemetry/sdk/resource.h"

namespace aura::telemetry::otlp {
namespace {

std::once_flag g_curl_init;

struct ResponseSink {
  std::string* body;
  size_t limit;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  size_t bytes = size * n;
  if (sink->body->size() + bytes > sink->limit) return 0;  // aborts the transfer
  sink->body->append(data, bytes);
  return bytes;
}

size_t ReadHeader(char* data, size_t size, size_t n, void* user) {
  auto* retry_after = static_cast<std::string*>(user);
  std::string_view line(data, size * n);
  static constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size(); ++i) {
      char c = line[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kName[i]) match = false;
    }
    if (match) {
      std::string_view v = line.substr(kName.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      *retry_after = std::string(v);
    }
  }
  return size * n;
}

// Progress callback: a non-zero answer makes curl abort the transfer, so that
// Shutdown ends a request in flight (within about a second) instead of leaving
// it to run to its timeout.
int AbortAfterShutdown(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load(std::memory_order_acquire) ? 1 : 0;
}

bool Retryable(long status) { return status == 0 || status == 429 || status == 502 || status == 503 || status == 504; }

}  // namespace

OtlpHttpExporter::OtlpHttpExporter(OtlpExporterOptions options)
    : options_(std::move(options)), retry_(options_) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

OtlpHttpExporter::~OtlpHttpExporter() {
  Shutdown(std::chrono::milliseconds(0));
  std::lock_guard lock(curl_mu_);
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_ = nullptr;
}

std::optional<std::chrono::milliseconds> OtlpHttpExporter::ParseRetryAfter(std::string_view value) {
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && p == value.data() + value.size() && seconds >= 0) {
    return std::chrono::milliseconds(seconds * 1000);
  }
  std::string text(value);
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  int64_t delta = static_cast<int64_t>(when) - static_cast<int64_t>(std::time(nullptr));
  return std::chrono::milliseconds(std::max<int64_t>(delta, 0) * 1000);
}

OtlpHttpExporter::Attempt OtlpHttpExporter::Post(std::string_view body, RetryClock::Clock::time_point deadline) {
  Attempt a;
  std::lock_guard lock(curl_mu_);
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    a.error = "curl not initialised";
    return a;
  }
  curl_easy_reset(curl);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - RetryClock::Clock::now());
  long timeout_ms = std::max<long>(1, static_cast<long>(left.count()));
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, options_.protocol == OtlpProtocol::kHttpJson
                                           ? "Content-Type: application/json"
                                           : "Content-Type: application/x-protobuf");
  if (options_.gzip) headers = curl_slist_append(headers, "Content-Encoding: gzip");
  headers = curl_slist_append(headers, "Expect:");
  for (const auto& [k, v] : options_.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  std::string user_agent = "OTel-OTLP-Exporter-Cpp/" + std::string(sdk::kSdkVersion);
  ResponseSink sink{&a.body, options_.max_response_bytes};

  curl_easy_setopt(curl, CURLOPT_URL, options_.endpoint.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &AbortAfterShutdown);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &shutdown_);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a.retry_after);
  if (!options_.certificate_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.certificate_file.c_str());
  if (!options_.client_certificate_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, options_.client_certificate_file.c_str());
  }
  if (!options_.client_key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, options_.client_key_file.c_str());

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    a.status = 0;
    a.error = curl_easy_strerror(rc);
    return a;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

sdk::ExportResult OtlpHttpExporter::Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept {
  if (shutdown_.load(std::memory_order_acquire)) return sdk::ExportResult::kFailure;
  if (spans.empty()) return sdk::ExportResult::kSuccess;
  try {
    std::string owned;  // the JSON or gzip body; the protobuf one stays in the encoder
    std::string_view body;
    if (options_.protocol == OtlpProtocol::kHttpJson) {
      owned = ToOtlpJson(spans);
      body = owned;
    } else {
      body = request_encoder_.Encode(spans);
    }
    if (options_.gzip) {
      auto zipped = Gzip(body);
      if (!zipped) return sdk::ExportResult::kFailure;
      owned = std::move(*zipped);
      body = owned;
    }
    if (body.size() > options_.max_request_bytes) {
      if (options_.health) options_.health->SetLastError("export request above the 64 MiB limit");
      return sdk::ExportResult::kFailure;
    }
    auto deadline = retry_.Deadline();
    for (int attempt = 0;; ++attempt) {
      Attempt a = Post(body, deadline);
      if (a.status >= 200 && a.status < 300) {
        if (options_.protocol != OtlpProtocol::kHttpJson) {
          if (auto ps = ReadPartialSuccess(a.body)) {
            if (options_.health) options_.health->RecordRejected(static_cast<uint64_t>(ps->rejected_spans));
            AURA_LOG_WARNING("telemetry.export_partial_success")
                .With("rejected_spans", ps->rejected_spans)
                .With("error", ps->error_message);
          }
        }
        return sdk::ExportResult::kSuccess;
      }
      std::string error = a.status == 0 ? options_.endpoint + ": " + a.error
                                        : options_.endpoint + ": HTTP " + std::to_string(a.status);
      if (options_.health) options_.health->SetLastError(error);
      if (!Retryable(a.status) || shutdown_.load(std::memory_order_acquire)) return sdk::ExportResult::kFailure;
      std::chrono::milliseconds wait = retry_.Backoff(attempt);
      if (auto hint = ParseRetryAfter(a.retry_after)) wait = *hint;
      if (!retry_.Sleep(wait, deadline)) return sdk::ExportResult::kFailure;
    }
  } catch (...) {
    return sdk::ExportResult::kFailure;
  }
}

bool OtlpHttpExporter::Shutdown(std::chrono::milliseconds) noexcept {
  shutdown_.store(true, std::memory_order_release);
  retry_.Interrupt();
  return true;
}

}  // namespace aura::telemetry::otlp
