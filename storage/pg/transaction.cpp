#include "storage/pg/transaction.hpp"

namespace postimap::pg {

asio::awaitable<Transaction> Transaction::begin(Pool& pool) {
    Lease lease = co_await pool.acquire();
    co_await lease->exec_script("BEGIN");
    co_return Transaction(std::move(lease));
}

asio::awaitable<Transaction> Transaction::begin(Lease lease) {
    co_await lease->exec_script("BEGIN");
    co_return Transaction(std::move(lease));
}

asio::awaitable<void> Transaction::commit() {
    co_await lease_->exec_script("COMMIT");
}

}  // namespace postimap::pg
