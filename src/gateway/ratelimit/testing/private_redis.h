// File: gateway/ratelimit/testing/private_redis.h
//
// Test helpers for Redis-backed code: a private redis-server on a free
// loopback port that a test may kill and restart (to exercise fallbacks), and
// the shared test Redis URL from AURA_TEST_REDIS_URL.
//
//   PrivateRedis redis;                     // started, answering PING
//   ASSERT_TRUE(redis.Start()) << redis.error();
//   ... use redis.url() ...
//   redis.Kill();                           // SIGKILL, waits for the process
//   ASSERT_TRUE(redis.Start());             // again, on the same port
//
// Single-threaded (owned by one test).
#pragma once

#include <sys/types.h>

#include <string>

namespace aura::gateway::testing {

class PrivateRedis {
 public:
  PrivateRedis();
  ~PrivateRedis();
  PrivateRedis(const PrivateRedis&) = delete;
  PrivateRedis& operator=(const PrivateRedis&) = delete;

  // Starts redis-server (on the port chosen at construction) and waits up to
  // 10 s until it answers PING. False with error() set on failure.
  bool Start();
  // Kills the server with SIGKILL and reaps it. No-op when not running.
  void Kill();

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  const std::string& error() const { return error_; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

// AURA_TEST_REDIS_URL, or "" when unset (callers FAIL with a clear message).
std::string TestRedisUrl();

// A key prefix unique to this process and call, so tests can share one Redis.
std::string UniqueKeyPrefix(const std::string& what);

}  // namespace aura::gateway::testing
