// File: tests/integration/core/private_postgres.h
//
// PrivatePostgres: a PostgreSQL server of the test's own, in a temporary
// directory on a free loopback port, that the test may stop and start again
// to stage an outage. Run as the `postgres` system user when the test runs as
// root (PostgreSQL refuses root), like scripts/services.sh.
//
//   auto pg = PrivatePostgres::Start();      // initdb + pg_ctl start + createdb
//   ASSERT_TRUE(pg.ok()) << pg.status().ToString();
//   (*pg)->Stop();  (*pg)->Restart();       // same port, same data
//
// Single-threaded (one test drives it).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace aura::core::testing {

class PrivatePostgres {
 public:
  static common::Result<std::unique_ptr<PrivatePostgres>> Start();
  ~PrivatePostgres();  // stops the server and removes the directory
  PrivatePostgres(const PrivatePostgres&) = delete;
  PrivatePostgres& operator=(const PrivatePostgres&) = delete;

  // postgresql://aura@127.0.0.1:<port>/aura_test
  std::string url() const;
  int port() const { return port_; }

  // pg_ctl stop -m fast: connections are closed, new ones refused.
  common::Status Stop();
  // pg_ctl start on the same port and data directory.
  common::Status Restart();

 private:
  PrivatePostgres() = default;
  common::Status Run(const std::string& command) const;

  std::string dir_;
  std::string bin_;
  int port_ = 0;
  bool running_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int PickFreePort();

}  // namespace aura::core::testing
