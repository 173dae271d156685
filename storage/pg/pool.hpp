// A bounded pool of connections for one worker. Connections are made on
// demand up to the limit; a caller waits (bounded) when all are in use.
// A broken connection is dropped when it comes back, so the pool recovers by
// itself once PostgreSQL is reachable again.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "storage/pg/connection.hpp"

namespace postimap::pg {

class Pool;

// A connection on loan from the pool; goes back (or is dropped) when destroyed.
class Lease {
  public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

  private:
    void give_back();
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
};

struct PoolOptions {
    std::string dsn;
    std::size_t max_size = 8;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds acquire_timeout{10000};
    // Every new connection acts as this role (SET ROLE); empty: as the
    // DSN's user.
    std::string role{};
};

struct PoolStats {
    std::size_t open = 0;        // connections that exist
    std::size_t idle = 0;        // of those, not on loan
    std::size_t waiting = 0;     // callers waiting for one
    std::uint64_t acquires = 0;  // calls of acquire() so far
    double wait_seconds = 0;     // their time spent waiting for a free one
};

class Pool {
  public:
    Pool(asio::any_io_executor ex, PoolOptions options);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // Throws ConnectionError when no connection can be made or none frees up
    // within acquire_timeout.
    asio::awaitable<Lease> acquire();
    PoolStats stats() const;
    const PoolOptions& options() const { return options_; }
    asio::any_io_executor executor() const { return executor_; }

  private:
    friend class Lease;
    struct Waiter;
    void release(std::unique_ptr<Connection> conn);
    void offer_slot();

    asio::any_io_executor executor_;
    PoolOptions options_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::deque<std::shared_ptr<Waiter>> waiters_;
    std::size_t open_ = 0;
    std::uint64_t acquires_ = 0;
    double wait_seconds_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace postimap::pg
