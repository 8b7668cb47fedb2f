#include "storage/testing/postgres_test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>

namespace aura::storage::testing {
namespace {

constexpr const char* kPgBinDir = "/usr/lib/postgresql/15/bin";

std::string RandomSuffix() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (int i = 0; i < 12; ++i) out += kAlphabet[gen() % (sizeof(kAlphabet) - 1)];
  return out;
}

bool RunningAsRoot() { return geteuid() == 0; }

// Runs a shell command; its output goes to `log`.
int Run(const std::string& command, const std::string& log) {
  const std::string full = command + " >>'" + log + "' 2>&1";
  return std::system(full.c_str());
}

std::string AsPostgresUser(const std::string& command) {
  return RunningAsRoot() ? "runuser -u postgres -- " + command : command;
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

std::string RequirePostgresTestUrl() {
  const char* url = std::getenv("AURA_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "AURA_TEST_POSTGRES_URL is not set. This test needs a running PostgreSQL: "
                     "run it through scripts/test.sh, or `source /tmp/aura-dev-services.env`, or "
                     "eval \"$(scripts/services.sh start DIR)\".";
    return "";
  }
  return url;
}

std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  const size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t query = url.find('?', host_start);
  const size_t slash = url.find('/', host_start);
  std::string head = url.substr(0, slash != std::string::npos && slash < query ? slash : query);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return head + "/" + database + tail;
}

TempPostgresDatabase::TempPostgresDatabase(std::string admin_url, std::string name)
    : admin_url_(std::move(admin_url)),
      name_(std::move(name)),
      url_(WithDatabase(admin_url_, name_)) {}

common::Result<std::unique_ptr<TempPostgresDatabase>> TempPostgresDatabase::Create(
    const std::string& admin_url) {
  if (admin_url.empty()) return common::FailedPreconditionError("no PostgreSQL URL");
  const std::string name = "aura_t_" + RandomSuffix();
  try {
    pqxx::connection conn(admin_url);
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE DATABASE " + name);
  } catch (const std::exception& e) {
    return common::UnavailableError(std::string("CREATE DATABASE failed: ") + e.what());
  }
  return std::unique_ptr<TempPostgresDatabase>(new TempPostgresDatabase(admin_url, name));
}

TempPostgresDatabase::~TempPostgresDatabase() {
  try {
    pqxx::connection conn(admin_url_);
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "could not drop test database " << name_ << ": " << e.what() << "\n";
  }
}

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

common::Result<std::unique_ptr<PrivatePostgresServer>> PrivatePostgresServer::Start() {
  std::string templ = (std::filesystem::temp_directory_path() / "aura-pg-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) return common::InternalError("mkdtemp failed");
  const std::string dir = templ;
  std::filesystem::permissions(dir, std::filesystem::perms::all);
  if (RunningAsRoot() && Run("chown postgres '" + dir + "'", "/dev/null") != 0) {
    return common::InternalError("cannot chown " + dir + " to postgres");
  }
  const std::string log = dir + "/setup.log";
  const int port = PickFreePort();
  std::unique_ptr<PrivatePostgresServer> server(new PrivatePostgresServer(dir, port));
  if (Run(AsPostgresUser(std::string(kPgBinDir) + "/initdb -D '" + dir +
                         "/data' -U aura --auth=trust -E UTF8"),
          log) != 0) {
    return common::UnavailableError("initdb failed: " + Tail(log));
  }
  AURA_RETURN_IF_ERROR(server->Restart());
  return server;
}

common::Status PrivatePostgresServer::RunPgCtl(const std::string& action) {
  const std::string log = dir_ + "/setup.log";
  std::string cmd = std::string(kPgBinDir) + "/pg_ctl -D '" + dir_ + "/data' -w -t 60 ";
  if (action == "start") {
    cmd += "-l '" + dir_ + "/server.log' -o '-p " + std::to_string(port_) +
           " -c listen_addresses=127.0.0.1 -k " + dir_ + " -c fsync=off' start";
  } else {
    cmd += "-m fast stop";
  }
  if (Run(AsPostgresUser(cmd), log) != 0) {
    return common::UnavailableError("pg_ctl " + action + " failed: " + Tail(log) +
                                    Tail(dir_ + "/server.log"));
  }
  return common::OkStatus();
}

common::Status PrivatePostgresServer::Stop() {
  if (!running_) return common::OkStatus();
  AURA_RETURN_IF_ERROR(RunPgCtl("stop"));
  running_ = false;
  return common::OkStatus();
}

common::Status PrivatePostgresServer::Restart() {
  if (running_) return common::OkStatus();
  AURA_RETURN_IF_ERROR(RunPgCtl("start"));
  running_ = true;
  return common::OkStatus();
}

std::string PrivatePostgresServer::url() const {
  return "postgresql://aura@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

PrivatePostgresServer::~PrivatePostgresServer() {
  (void)Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace aura::storage::testing
