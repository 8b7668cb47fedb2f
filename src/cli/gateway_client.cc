#include "cli/gateway_client.h"

#include <curl/curl.h>

#include <mutex>

#include "cli/request_signing.h"
#include "common/clock.h"

namespace aura::cli {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t CaptureHeader(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "x-request-id:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) {
        match = false;
        break;
      }
    }
    if (match) {
      std::string_view v = line.substr(kName.size());
      while (!v.empty() && (v.front() == ' ')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      *static_cast<std::string*>(user) = std::string(v);
    }
  }
  return size * count;
}

}  // namespace

GatewayClient::GatewayClient(GatewayClientOptions options, const AgentKey* key)
    : options_(std::move(options)), key_(key) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  curl_ = curl_easy_init();
}

GatewayClient::~GatewayClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

common::Result<HttpReply> GatewayClient::Search(const std::string& query, int limit) {
  return PostSigned("/v1/search", nlohmann::json{{"query", query}, {"limit", limit}});
}

common::Result<HttpReply> GatewayClient::Negotiate(const std::string& item_id, double bid,
                                                   const std::string& currency) {
  nlohmann::json body = {{"item_id", item_id}, {"bid_amount", bid}, {"currency", currency}};
  if (key_ != nullptr) body["agent_did"] = key_->did();
  return PostSigned("/v1/negotiate", body);
}

common::Result<HttpReply> GatewayClient::Get(const std::string& path) {
  return Perform("GET", path, "", /*sign=*/false);
}

common::Result<HttpReply> GatewayClient::PostSigned(const std::string& path,
                                                    const nlohmann::json& body) {
  if (key_ == nullptr) return common::FailedPreconditionError("signed request without an agent key");
  return Perform("POST", path, CanonicalBody(body), /*sign=*/true);
}

common::Result<HttpReply> GatewayClient::Perform(const std::string& method, const std::string& path,
                                                 const std::string& body, bool sign) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return common::InternalError("libcurl failed to initialise");
  curl_easy_reset(curl);
  HttpReply reply;
  std::string url = options_.base_url + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &CaptureHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.request_id);

  curl_slist* headers = nullptr;
  std::vector<std::string> header_lines;
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    header_lines.emplace_back("Content-Type: application/json");
  }
  if (sign) {
    SignedHeaders h = SignGatewayRequest(*key_, method, path, body,
                                         common::SystemClock::Instance().NowUnixSeconds());
    header_lines.push_back("X-Agent-ID: " + h.agent_id);
    header_lines.push_back("X-Timestamp: " + h.timestamp);
    header_lines.push_back("X-Signature: " + h.signature);
  }
  header_lines.emplace_back("Expect:");
  for (const auto& l : header_lines) headers = curl_slist_append(headers, l.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl);
  reply.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return common::UnavailableError("cannot reach the gateway at " + options_.base_url + " (" +
                                    curl_easy_strerror(rc) + ")");
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  reply.json = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (reply.json.is_discarded()) reply.json = nullptr;
  return reply;
}

}  // namespace aura::cli
