// File: storage/internal/connection_pool.h
//
// ConnectionPool<Conn>: a bounded set of database connections shared by request
// threads. Acquire() hands out an idle connection, opens a new one while fewer
// than max_size exist, or waits up to the acquire timeout for one to come back;
// then it gives up with UNAVAILABLE instead of hanging. Connections are opened
// outside the pool's mutex, so a slow or dead database never blocks threads
// that only return connections.
//
//   ConnectionPool<pqxx::connection> pool({.max_size = 8, .acquire_timeout = 2s}, open_fn);
//   AURA_ASSIGN_OR_RETURN(auto lease, pool.Acquire());
//   lease->...;            // use the connection
//   lease.Discard();       // if it broke: dropped instead of returned
//
// Thread-safe. Leases must not outlive the pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace aura::storage::internal {

struct ConnectionPoolOptions {
  size_t max_size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
};

template <typename Conn>
class ConnectionPool {
 public:
  // Opens one connection; UNAVAILABLE (or another code) when it cannot.
  using Opener = std::function<common::Result<std::unique_ptr<Conn>>()>;

  // A connection on loan; returns it to the pool when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          conn_(std::move(other.conn_)),
          fresh_(other.fresh_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Return(std::move(conn_));
    }
    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }
    // Closes the connection instead of returning it (it broke, or its state is unknown).
    void Discard() { conn_.reset(); }
    // True when opened for this lease rather than reused from the idle set.
    bool fresh() const { return fresh_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn, bool fresh)
        : pool_(pool), conn_(std::move(conn)), fresh_(fresh) {}
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
    bool fresh_;
  };

  ConnectionPool(ConnectionPoolOptions options, Opener opener)
      : options_(options), opener_(std::move(opener)) {
    if (options_.max_size == 0) options_.max_size = 1;
  }
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle or newly opened connection. UNAVAILABLE when none is free within
  // the acquire timeout or a new one cannot be opened.
  common::Result<Lease> Acquire() {
    const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    std::unique_lock lock(mu_);
    while (idle_.empty() && open_ >= options_.max_size) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= options_.max_size) {
        return common::UnavailableError("no free database connection within " +
                                        std::to_string(options_.acquire_timeout.count()) + " ms");
      }
    }
    if (!idle_.empty()) {
      std::unique_ptr<Conn> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn), /*fresh=*/false);
    }
    ++open_;  // reserve the slot, then open without holding the lock
    lock.unlock();
    common::Result<std::unique_ptr<Conn>> opened = Open();
    if (!opened.ok()) {
      lock.lock();
      --open_;
      lock.unlock();
      cv_.notify_one();
      return opened.status();
    }
    return Lease(this, std::move(opened).value(), /*fresh=*/true);
  }

  // Closes every idle connection, e.g. after one of them was found broken:
  // they most likely share its fate (the server restarted).
  void DiscardIdle() {
    std::vector<std::unique_ptr<Conn>> doomed;
    {
      std::lock_guard lock(mu_);
      doomed.swap(idle_);
      open_ -= doomed.size();
    }
    cv_.notify_all();
    // `doomed` closes outside the lock.
  }

  // Connections open now (idle and on loan).
  size_t OpenCount() const {
    std::lock_guard lock(mu_);
    return open_;
  }

 private:
  common::Result<std::unique_ptr<Conn>> Open() {
    try {
      return opener_();
    } catch (const std::exception& e) {
      return common::UnavailableError(std::string("cannot open database connection: ") + e.what());
    }
  }

  void Return(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard lock(mu_);
      if (conn) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
      }
    }
    cv_.notify_one();
  }

  ConnectionPoolOptions options_;
  Opener opener_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  size_t open_ = 0;                          // guarded by mu_
};

}  // namespace aura::storage::internal
