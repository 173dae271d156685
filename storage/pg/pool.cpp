#include "storage/pg/pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log/log.hpp"
#include "storage/pg/error.hpp"

namespace postimap::pg {

struct Pool::Waiter {
    explicit Waiter(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    std::unique_ptr<Connection> handed;  // a connection given directly
    bool slot_free = false;              // or leave to open a new one
};

Lease& Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        give_back();
        pool_ = other.pool_;
        conn_ = std::move(other.conn_);
    }
    return *this;
}

Lease::~Lease() {
    give_back();
}

void Lease::give_back() {
    if (conn_ && pool_)
        pool_->release(std::move(conn_));
}

Pool::Pool(asio::any_io_executor ex, PoolOptions options)
    : executor_(ex), options_(std::move(options)) {}

Pool::~Pool() {
    *alive_ = false;
}

PoolStats Pool::stats() const {
    return {open_, idle_.size(), waiters_.size(), acquires_, wait_seconds_};
}

// A connection closed: the first waiter may open a new one.
void Pool::offer_slot() {
    for (auto& w : waiters_) {
        if (!w->handed && !w->slot_free) {
            w->slot_free = true;
            w->timer.cancel();
            return;
        }
    }
}

void Pool::release(std::unique_ptr<Connection> conn) {
    auto status = conn->transaction_status();
    if (!conn->broken() && (status == PQTRANS_INTRANS || status == PQTRANS_INERROR)) {
        // A transaction scope ended without COMMIT (an exception, say): roll
        // back before anyone else gets the connection.
        std::weak_ptr<bool> alive = alive_;
        asio::co_spawn(
            executor_,
            [this, alive, c = std::move(conn)]() mutable -> asio::awaitable<void> {
                try {
                    co_await c->exec_script("ROLLBACK");
                } catch (const std::exception&) {
                }
                if (alive.lock() && *alive.lock())
                    release(std::move(c));
            },
            asio::detached);
        return;
    }
    if (conn->broken() || status != PQTRANS_IDLE) {
        // Broken, or dropped mid-query by a cancelled caller: never reuse.
        --open_;
        conn.reset();
        offer_slot();
        return;
    }
    for (auto& w : waiters_) {
        if (!w->handed && !w->slot_free) {
            w->handed = std::move(conn);
            w->timer.cancel();
            return;
        }
    }
    idle_.push_back(std::move(conn));
}

asio::awaitable<Lease> Pool::acquire() {
    ++acquires_;
    while (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->still_usable_after_idle())
            co_return Lease(this, std::move(conn));
        --open_;
        log::info("db_connection_dropped", "reason=broken_while_idle");
    }
    if (open_ >= options_.max_size) {
        auto waiter = std::make_shared<Waiter>(executor_);
        waiters_.push_back(waiter);
        waiter->timer.expires_after(options_.acquire_timeout);
        boost::system::error_code ec;
        const auto started = std::chrono::steady_clock::now();
        co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        wait_seconds_ +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::erase(waiters_, waiter);
        if (waiter->handed)
            co_return Lease(this, std::move(waiter->handed));
        if (!waiter->slot_free)
            throw ConnectionError("no database connection became free in time");
    }
    ++open_;
    try {
        auto conn = co_await Connection::connect(executor_, options_.dsn, options_.connect_timeout);
        if (!options_.role.empty())
            co_await conn->set_role(options_.role);
        co_return Lease(this, std::move(conn));
    } catch (...) {
        --open_;
        // Let the next waiter try for itself rather than time out.
        offer_slot();
        throw;
    }
}

}  // namespace postimap::pg
