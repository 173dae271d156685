// A transaction as a scope: begin() takes a connection and sends BEGIN;
// commit() ends it. A Transaction destroyed without commit() is rolled back
// by the pool before the connection is used again.
#pragma once

#include "storage/pg/pool.hpp"

namespace postimap::pg {

class Transaction {
  public:
    static asio::awaitable<Transaction> begin(Pool& pool);
    // On a connection already prepared (settings made), e.g. for a user.
    static asio::awaitable<Transaction> begin(Lease lease);

    asio::awaitable<Result> exec(const Statement& stmt, const Params& params = {}) {
        return lease_->exec(stmt, params);
    }
    asio::awaitable<void> commit();

  private:
    explicit Transaction(Lease lease) : lease_(std::move(lease)) {}
    Lease lease_;
};

}  // namespace postimap::pg
