#include "private_postgres.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace aura::core::testing {
namespace {

std::string PostgresBin() {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    if (std::filesystem::exists(entry.path() / "bin" / "pg_ctl")) found.push_back(entry.path() / "bin");
  }
  if (found.empty()) return {};
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::stoi(a.parent_path().filename().string()) < std::stoi(b.parent_path().filename().string());
  });
  return found.back().string();
}

}  // namespace

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

common::Status PrivatePostgres::Run(const std::string& command) const {
  std::string full = (geteuid() == 0 ? "runuser -u postgres -- " : "") + command;
  int rc = std::system(full.c_str());
  if (rc != 0) {
    return common::InternalError("`" + full + "` failed with status " + std::to_string(rc));
  }
  return common::OkStatus();
}

common::Result<std::unique_ptr<PrivatePostgres>> PrivatePostgres::Start() {
  std::unique_ptr<PrivatePostgres> pg(new PrivatePostgres());
  pg->bin_ = PostgresBin();
  if (pg->bin_.empty()) {
    return common::FailedPreconditionError("no PostgreSQL under /usr/lib/postgresql/*/bin");
  }
  std::string templ = (std::filesystem::temp_directory_path() / "aura-core-pg-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) return common::InternalError("mkdtemp failed");
  pg->dir_ = templ;
  if (geteuid() == 0 && std::system(("chown postgres " + pg->dir_).c_str()) != 0) {
    return common::InternalError("cannot hand " + pg->dir_ + " to the postgres user");
  }
  AURA_RETURN_IF_ERROR(pg->Run(pg->bin_ + "/initdb -D " + pg->dir_ + "/pg -U aura --auth=trust -E UTF8 >" +
                               pg->dir_ + "/initdb.log 2>&1"));
  pg->port_ = PickFreePort();
  AURA_RETURN_IF_ERROR(pg->Restart());
  AURA_RETURN_IF_ERROR(pg->Run(pg->bin_ + "/createdb -h 127.0.0.1 -p " + std::to_string(pg->port_) +
                               " -U aura aura_test"));
  return pg;
}

PrivatePostgres::~PrivatePostgres() {
  if (running_) (void)Stop();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string PrivatePostgres::url() const {
  return "postgresql://aura@127.0.0.1:" + std::to_string(port_) + "/aura_test";
}

common::Status PrivatePostgres::Stop() {
  AURA_RETURN_IF_ERROR(Run(bin_ + "/pg_ctl -D " + dir_ + "/pg -m fast -w stop >/dev/null 2>&1"));
  running_ = false;
  return common::OkStatus();
}

common::Status PrivatePostgres::Restart() {
  AURA_RETURN_IF_ERROR(Run(bin_ + "/pg_ctl -D " + dir_ + "/pg -l " + dir_ + "/pg.log -w -t 60 -o \"-p " +
                           std::to_string(port_) + " -c listen_addresses=127.0.0.1 -k " + dir_ +
                           " -c fsync=off\" start >/dev/null"));
  running_ = true;
  return common::OkStatus();
}

}  // namespace aura::core::testing
