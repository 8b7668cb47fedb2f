// File: cli/gateway_client.h
//
// GatewayClient: a small blocking HTTP client for the gateway's agent API, the
// way a buyer agent uses it: signed POSTs to /v1/search and /v1/negotiate,
// plain GETs for status and health.
//
//   GatewayClient client({.base_url = "http://127.0.0.1:8000"}, &key);
//   AURA_ASSIGN_OR_RETURN(HttpReply r, client.Negotiate("hotel_alpha", 850.0, "USD"));
//   if (r.status == 200) std::cout << r.json["status"];
//
// Thread-compatible: one client per thread (it keeps a connection open).
//
// Status codes: UNAVAILABLE when the gateway cannot be reached or times out
// (the message says which); any HTTP answer, including 4xx/5xx, is a reply.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/agent_key.h"
#include "common/status.h"

namespace aura::cli {

struct HttpReply {
  long status = 0;
  std::string body;
  // The body parsed as JSON, or null when it is not JSON.
  nlohmann::json json;
  std::string request_id;  // X-Request-ID
  std::chrono::microseconds elapsed{0};
};

struct GatewayClientOptions {
  std::string base_url = "http://127.0.0.1:8000";
  std::chrono::milliseconds timeout{10000};
};

class GatewayClient {
 public:
  // `key` may be null for unsigned routes only; it must outlive the client.
  GatewayClient(GatewayClientOptions options, const AgentKey* key);
  ~GatewayClient();
  GatewayClient(const GatewayClient&) = delete;
  GatewayClient& operator=(const GatewayClient&) = delete;

  common::Result<HttpReply> Search(const std::string& query, int limit);
  common::Result<HttpReply> Negotiate(const std::string& item_id, double bid,
                                      const std::string& currency);
  common::Result<HttpReply> SystemStatus() { return Get("/v1/system/status"); }
  common::Result<HttpReply> Get(const std::string& path);
  // Signs `body` with the agent key and POSTs it.
  common::Result<HttpReply> PostSigned(const std::string& path, const nlohmann::json& body);

  const std::string& base_url() const { return options_.base_url; }

 private:
  common::Result<HttpReply> Perform(const std::string& method, const std::string& path,
                                    const std::string& body, bool sign);
  GatewayClientOptions options_;
  const AgentKey* key_;
  void* curl_;  // CURL*, kept for connection reuse
};

}  // namespace aura::cli
