#include "tests/support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;  // NOLINT

namespace aura::testing {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

}  // namespace

bool PortOpen(int port) {
  int fd = Connect(port);
  if (fd < 0) return false;
  close(fd);
  return true;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string HttpExchange(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string resp;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  return resp;
}

std::string HttpGet(int port, const std::string& path, int* status) {
  if (status) *status = 0;
  const std::string resp =
      HttpExchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  size_t sp = resp.find(' ');
  size_t body = resp.find("\r\n\r\n");
  if (sp == std::string::npos || body == std::string::npos) return "";
  if (status) *status = std::atoi(resp.c_str() + sp + 1);
  return resp.substr(body + 4);
}

PromtoolResult PromtoolCheckMetrics(const std::string& exposition) {
  PromtoolResult result;
  TempDir dir;
  std::string path = dir.path() + "/metrics.txt";
  std::ofstream(path) << exposition;
  FILE* p = popen(("promtool check metrics < " + path + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    result.exit_code = 127;
    return result;
  }
  char buf[512];
  while (fgets(buf, sizeof buf, p) != nullptr) result.output += buf;
  int rc = pclose(p);
  result.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : 127;
  size_t start = 0;
  while (start < result.output.size()) {
    size_t end = result.output.find('\n', start);
    if (end == std::string::npos) end = result.output.size();
    std::string line = result.output.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.find("memory_usage_mb") != std::string::npos ||
        line.find("negotiation_count") != std::string::npos) {
      continue;
    }
    result.unexpected_findings.push_back(line);
  }
  return result;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "aura-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& workdir,
                           const std::map<std::string, std::string>& extra_env, const std::string& log_path) {
  std::vector<std::string> env_strings;
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra_env) env[k] = v;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  std::string log = log_path.empty() ? "/dev/null" : log_path;

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    setpgid(0, 0);
    if (!workdir.empty() && chdir(workdir.c_str()) != 0) _exit(126);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
}

bool ChildProcess::Running() {
  if (reaped_) return false;
  pid_t r = waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return !reaped_;
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (WaitFor([&] { return !Running(); }, timeout)) return status_;
  return -1;
}

int ChildProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (!Running()) return status_;
  kill(pid_, signal);
  int st = Wait(timeout);
  if (st != -1) return st;
  kill(pid_, SIGKILL);
  waitpid(pid_, &status_, 0);
  reaped_ = true;
  return -1;
}

PrometheusProcess::PrometheusProcess(const std::vector<std::string>& targets, const std::string& scrape_interval,
                                     const std::string& extra_config)
    : port_(FreePort()) {
  std::string config_path = dir_.path() + "/prometheus.yml";
  std::ofstream config(config_path);
  config << "global:\n  scrape_interval: " << scrape_interval << "\n  evaluation_interval: " << scrape_interval
         << "\nscrape_configs:\n  - job_name: aura\n    static_configs:\n      - targets: [";
  for (size_t i = 0; i < targets.size(); ++i) config << (i ? ", " : "") << "'" << targets[i] << "'";
  config << "]\n" << extra_config;
  config.close();
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + config_path,
                               "--storage.tsdb.path=" + dir_.path() + "/data",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--web.enable-lifecycle"},
      dir_.path(), std::map<std::string, std::string>{}, dir_.path() + "/prometheus.log");
}

PrometheusProcess::~PrometheusProcess() { Stop(); }

bool PrometheusProcess::Ready() {
  int status = 0;
  HttpGet(port_, "/-/ready", &status);
  return status == 200;
}

void PrometheusProcess::Stop() {
  if (process_) process_->Stop(SIGTERM, std::chrono::seconds(10));
}

}  // namespace aura::testing
