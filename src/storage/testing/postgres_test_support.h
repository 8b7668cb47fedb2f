// File: storage/testing/postgres_test_support.h
//
// Helpers for tests that need PostgreSQL (target aura::storage_testing):
//
//   TempPostgresDatabase: a fresh, empty database (aura_t_<random>) created on
//   the server that AURA_TEST_POSTGRES_URL names and dropped when destroyed, so
//   test runs never see each other's rows.
//
//     auto db = TempPostgresDatabase::Create(RequirePostgresTestUrl());
//     MakeStore({.url = db->url()});
//
//   PrivatePostgresServer: a PostgreSQL server of this test's own (initdb into
//   a temp directory, started with pg_ctl on a free loopback port, as the
//   `postgres` user when running as root), which a test may stop and start
//   again on the same port to simulate an outage.
//
// Not thread-safe; use from the test's main thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace aura::storage::testing {

// AURA_TEST_POSTGRES_URL, or a fatal test failure explaining how to set it:
// tests that need PostgreSQL fail (never skip) when it is missing.
std::string RequirePostgresTestUrl();

// `url` with its database name replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database);

class TempPostgresDatabase {
 public:
  // Creates the database through `admin_url` (any database on the server).
  static common::Result<std::unique_ptr<TempPostgresDatabase>> Create(const std::string& admin_url);
  ~TempPostgresDatabase();
  TempPostgresDatabase(const TempPostgresDatabase&) = delete;
  TempPostgresDatabase& operator=(const TempPostgresDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  TempPostgresDatabase(std::string admin_url, std::string name);
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

class PrivatePostgresServer {
 public:
  // initdb + start. UNAVAILABLE (with the log's tail) when it cannot start.
  static common::Result<std::unique_ptr<PrivatePostgresServer>> Start();
  // Stops the server (if running) and removes its directory.
  ~PrivatePostgresServer();
  PrivatePostgresServer(const PrivatePostgresServer&) = delete;
  PrivatePostgresServer& operator=(const PrivatePostgresServer&) = delete;

  // Fast shutdown: clients are disconnected.
  common::Status Stop();
  // Starts again on the same port and directory.
  common::Status Restart();

  int port() const { return port_; }
  // postgresql://aura@127.0.0.1:<port>/postgres
  std::string url() const;

 private:
  PrivatePostgresServer(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
  common::Status RunPgCtl(const std::string& action);
  std::string dir_;
  int port_;
  bool running_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int PickFreePort();

}  // namespace aura::storage::testing
