#include "fake_llm_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#ifndef AURA_FAKE_LLM_SCRIPT
#error "AURA_FAKE_LLM_SCRIPT must name fake_llm_server.py"
#endif

namespace aura::fakes {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

clients::Deadline ControlDeadline() { return clients::Deadline::After(std::chrono::seconds(5)); }

}  // namespace

FakeLlmServer::FakeLlmServer()
    : control_(std::make_unique<clients::HttpClient>(
          clients::HttpClientOptions{.retry = {.max_attempts = 1}})) {}

FakeLlmServer::~FakeLlmServer() { Stop(); }

common::Status FakeLlmServer::Start() {
  if (pid_ > 0) return common::OkStatus();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return common::UnavailableError("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return common::UnavailableError("fork failed");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(fds[1], STDOUT_FILENO);
    const char* argv[] = {kPython, AURA_FAKE_LLM_SCRIPT, "0", nullptr};
    execv(kPython, const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fds[1]);
  pid_ = pid;
  std::string line;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        give_up - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{.fd = fds[0], .events = POLLIN, .revents = 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[128];
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (!line.starts_with("PORT ")) {
    Stop();
    return common::UnavailableError("fake LLM server did not start (" + std::string(kPython) +
                                    " " AURA_FAKE_LLM_SCRIPT ")");
  }
  port_ = std::stoi(line.substr(5));
  return common::OkStatus();
}

void FakeLlmServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
}

std::string FakeLlmServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

common::Status FakeLlmServer::Post(const std::string& path, const nlohmann::json& body) {
  clients::HttpRequest request{.method = "POST",
                               .url = "http://127.0.0.1:" + std::to_string(port_) + path,
                               .headers = {{"Content-Type", "application/json"}},
                               .body = body.dump()};
  AURA_ASSIGN_OR_RETURN(clients::HttpResponse response, control_->Send(request, ControlDeadline()));
  if (response.status != 200) {
    return common::InternalError("fake control call " + path + " answered " +
                                 std::to_string(response.status));
  }
  return common::OkStatus();
}

common::Status FakeLlmServer::ScriptChat(const nlohmann::json& steps) {
  return Post("/__fake/script", {{"chat", steps}});
}

common::Status FakeLlmServer::ScriptEmbeddings(const nlohmann::json& steps) {
  return Post("/__fake/script", {{"embeddings", steps}});
}

common::Status FakeLlmServer::Reset() { return Post("/__fake/reset", nlohmann::json::object()); }

nlohmann::json FakeLlmServer::Requests() {
  clients::HttpRequest request{.method = "GET",
                               .url = "http://127.0.0.1:" + std::to_string(port_) +
                                      "/__fake/requests"};
  auto response = control_->Send(request, ControlDeadline());
  if (!response.ok() || response->status != 200) return nlohmann::json::array();
  return nlohmann::json::parse(response->body, nullptr, false).value("requests",
                                                                      nlohmann::json::array());
}

}  // namespace aura::fakes
