// The asynchronous SQL layer against a real PostgreSQL.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/pg/error.hpp"
#include "storage/pg/pool.hpp"
#include "storage/pg/transaction.hpp"
#include "tests/support/test_database.hpp"

namespace postimap {
namespace {

namespace asio = boost::asio;
using test::run;

class PgLayerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dsn = test::fresh_database(false);
        pool = std::make_unique<pg::Pool>(io.get_executor(), pg::PoolOptions{dsn, 2});
        run(io, [&]() -> asio::awaitable<void> {
            auto c = co_await pool->acquire();
            co_await c->exec_script("create table t (id int primary key, name text, data bytea)");
        }());
    }
    asio::io_context io;
    std::string dsn;
    std::unique_ptr<pg::Pool> pool;
};

const pg::Statement kEcho{"echo",
                          "select $1::int8, $2::text, $3::bool, $4::bytea, $5::text[], null::text"};
const pg::Statement kEchoBinary{"echo_binary", "select $1::int8, $2::text, $3::bool, $4::bytea",
                                pg::Format::binary};
const pg::Statement kInsert{"insert_t", "insert into t (id, name) values ($1, $2)"};
const pg::Statement kCount{"count_t", "select count(*) from t"};

TEST_F(PgLayerTest, TypedValuesRoundTripInTextAndBinaryFormat) {
    const std::string bytes("a\0b\xff\r\n", 6);
    // Built outside the coroutine: g++ 12 cannot keep an initializer_list's
    // array in a coroutine frame ("array used as initializer").
    const std::vector<std::string> items{"a b", "c\"d", "\\e", ""};
    run(io, [&]() -> asio::awaitable<void> {
        auto c = co_await pool->acquire();
        auto r = co_await c->exec(kEcho, pg::Params(std::int64_t{-42}, std::string("x\"y"), true,
                                                    pg::Bytea{bytes}, items));
        EXPECT_EQ(r[0].int64(0), -42);
        EXPECT_EQ(r[0].str(1), std::string("x\"y"));
        EXPECT_TRUE(r[0].boolean(2));
        EXPECT_EQ(r[0].bytea(3), bytes);
        EXPECT_EQ(r[0].text_array(4), items);
        EXPECT_TRUE(r[0].is_null(5));
        EXPECT_EQ(r[0].opt_str(5), std::nullopt);

        auto b = co_await c->exec(kEchoBinary, pg::Params(std::int64_t{1} << 40, std::string("t"),
                                                          false, pg::Bytea{bytes}));
        EXPECT_EQ(b[0].int64(0), std::int64_t{1} << 40);
        EXPECT_EQ(b[0].str(1), std::string("t"));
        EXPECT_FALSE(b[0].boolean(2));
        EXPECT_EQ(b[0].bytea(3), bytes);
    }());
}

TEST_F(PgLayerTest, SqlErrorKeepsSqlstateAndConnectionStaysUsable) {
    run(io, [&]() -> asio::awaitable<void> {
        auto c = co_await pool->acquire();
        co_await c->exec(kInsert, pg::Params(std::int32_t{1}, std::string("one")));
        bool caught = false;
        try {
            co_await c->exec(kInsert, pg::Params(std::int32_t{1}, std::string("again")));
        } catch (const pg::Error& e) {
            caught = true;
            EXPECT_TRUE(e.is_unique_violation()) << e.sqlstate();
        }
        EXPECT_TRUE(caught);
        EXPECT_FALSE(c->broken());
        auto r = co_await c->exec(kCount);
        EXPECT_EQ(r[0].int64(0), 1);
    }());
}

TEST_F(PgLayerTest, UncommittedTransactionIsRolledBack) {
    run(io, [&]() -> asio::awaitable<void> {
        {
            auto tx = co_await pg::Transaction::begin(*pool);
            co_await tx.exec(kInsert, pg::Params(std::int32_t{7}, std::string("lost")));
            // Leaves scope without commit().
        }
        {
            auto tx = co_await pg::Transaction::begin(*pool);
            co_await tx.exec(kInsert, pg::Params(std::int32_t{8}, std::string("kept")));
            co_await tx.commit();
        }
        // Every connection of the pool must see only the committed row.
        auto a = co_await pool->acquire();
        auto b = co_await pool->acquire();
        EXPECT_EQ((co_await a->exec(kCount))[0].int64(0), 1);
        EXPECT_EQ((co_await b->exec(kCount))[0].int64(0), 1);
        EXPECT_EQ(a->transaction_status(), PQTRANS_IDLE);
        EXPECT_EQ(b->transaction_status(), PQTRANS_IDLE);
    }());
}

TEST_F(PgLayerTest, PoolIsBoundedAndWaitersGetReleasedConnections) {
    std::vector<int> order;
    run(io, [&]() -> asio::awaitable<void> {
        auto first = std::make_unique<pg::Lease>(co_await pool->acquire());
        auto second = co_await pool->acquire();
        EXPECT_EQ(pool->stats().open, 2u);
        // A third caller waits until `first` is given back.
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                auto third = co_await pool->acquire();
                order.push_back(3);
                co_await third->exec(kCount);
            },
            asio::detached);
        asio::steady_timer t(io);
        t.expires_after(std::chrono::milliseconds(50));
        co_await t.async_wait(asio::use_awaitable);
        EXPECT_EQ(pool->stats().waiting, 1u);
        order.push_back(1);
        first.reset();
    }());
    EXPECT_EQ(order, (std::vector<int>{1, 3}));
    EXPECT_EQ(pool->stats().open, 2u);
}

TEST_F(PgLayerTest, AcquireTimesOutWhenPoolStaysExhausted) {
    pg::Pool small(io.get_executor(),
                   {dsn, 1, std::chrono::milliseconds(5000), std::chrono::milliseconds(100)});
    run(io, [&]() -> asio::awaitable<void> {
        auto held = co_await small.acquire();
        bool timed_out = false;
        try {
            auto never = co_await small.acquire();
        } catch (const pg::ConnectionError&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
    }());
}

TEST_F(PgLayerTest, DroppedConnectionIsReportedAndReplaced) {
    const pg::Statement pid{"backend_pid", "select pg_backend_pid()"};
    const pg::Statement kill{"terminate", "select pg_terminate_backend($1::int)"};
    run(io, [&]() -> asio::awaitable<void> {
        std::int64_t victim;
        {
            auto c = co_await pool->acquire();
            victim = (co_await c->exec(pid))[0].int64(0);
        }
        {
            // Kill the idle pooled connection from another session.
            pg::Pool other(io.get_executor(), {dsn, 1});
            auto k = co_await other.acquire();
            co_await k->exec(kill, pg::Params(victim));
        }
        asio::steady_timer t(io);
        t.expires_after(std::chrono::milliseconds(100));
        co_await t.async_wait(asio::use_awaitable);
        // The pool notices the dead idle connection and hands out a new one.
        auto c = co_await pool->acquire();
        auto now = (co_await c->exec(pid))[0].int64(0);
        EXPECT_NE(now, victim);
    }());
}

TEST_F(PgLayerTest, ConnectionKilledMidUseThrowsConnectionError) {
    const pg::Statement pid{"backend_pid", "select pg_backend_pid()"};
    const pg::Statement kill{"terminate", "select pg_terminate_backend($1::int)"};
    run(io, [&]() -> asio::awaitable<void> {
        auto c = co_await pool->acquire();
        auto victim = (co_await c->exec(pid))[0].int64(0);
        {
            pg::Pool other(io.get_executor(), {dsn, 1});
            auto k = co_await other.acquire();
            co_await k->exec(kill, pg::Params(victim));
        }
        bool lost = false;
        try {
            co_await c->exec_script("select pg_sleep(0.01)");
        } catch (const pg::ConnectionError&) {
            lost = true;
        }
        EXPECT_TRUE(lost);
        EXPECT_TRUE(c->broken());
    }());
    // The broken connection was dropped when its lease ended.
    EXPECT_EQ(pool->stats().open, 0u);
}

TEST_F(PgLayerTest, ConnectFailsCleanlyWhenServerIsAbsent) {
    pg::Pool nowhere(io.get_executor(), {"host=/nonexistent-dir port=5432 dbname=x", 1,
                                         std::chrono::milliseconds(500)});
    EXPECT_THROW(run(io, [&]() -> asio::awaitable<void> { auto c = co_await nowhere.acquire(); }()),
                 pg::ConnectionError);
    EXPECT_EQ(nowhere.stats().open, 0u);
}

}  // namespace
}  // namespace postimap
