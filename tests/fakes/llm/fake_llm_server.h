// File: tests/fakes/llm/fake_llm_server.h
//
// FakeLlmServer: starts the OpenAI-compatible stand-in (fake_llm_server.py,
// run by /usr/bin/python3) on a free loopback port for one test, scripts its
// answers and reads back what it received. The process is stopped by the
// destructor (and dies with the test process).
//
//   FakeLlmServer fake;
//   ASSERT_TRUE(fake.Start().ok());
//   fake.ScriptChat({{{"status", 429}, {"headers", {{"Retry-After", "1"}}}},
//                    {{"decision", {{"action", "accept"}, {"price", 120.0}, ...}}}});
//   config.llm.base_url = fake.base_url();   // "http://127.0.0.1:<port>/v1"
//   ...
//   nlohmann::json requests = fake.Requests();  // [{path, headers, body}, ...]
//
// Step fields are documented in fake_llm_server.py. Single-threaded use (one
// test at a time); the server itself answers concurrent calls.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "clients/http_client.h"
#include "common/status.h"

namespace aura::fakes {

class FakeLlmServer {
 public:
  FakeLlmServer();
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  // Starts the server and waits until it listens. UNAVAILABLE when it does not.
  common::Status Start();
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>/v1", the base URL clients are given.
  std::string base_url() const;

  // Appends steps for the chat or embeddings route (a JSON array of objects).
  common::Status ScriptChat(const nlohmann::json& steps);
  common::Status ScriptEmbeddings(const nlohmann::json& steps);
  // Forgets steps and recorded requests.
  common::Status Reset();
  // Requests the API routes received, oldest first.
  nlohmann::json Requests();

 private:
  common::Status Post(const std::string& path, const nlohmann::json& body);

  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<clients::HttpClient> control_;
};

}  // namespace aura::fakes
