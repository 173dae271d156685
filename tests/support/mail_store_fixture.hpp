// A fresh migrated database with three users in two tenants, for tests of
// the mail store.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "storage/mail_store.hpp"
#include "storage/provisioning.hpp"
#include "tests/support/test_database.hpp"

namespace postimap {

namespace asio = boost::asio;
using storage::Uid;
using test::run;

inline const pg::Statement kCountMessages{"count_messages", "select count(*) from messages"};

class MailStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dsn = test::fresh_database();
        pool = std::make_unique<pg::Pool>(io.get_executor(), pg::PoolOptions{dsn, 4});
        // The store acts as the workers' role, under row-level security,
        // as in production: every storage test also tests the policies.
        pg::PoolOptions as_worker{dsn, 4};
        as_worker.role = "postimap_app";
        worker_pool = std::make_unique<pg::Pool>(io.get_executor(), as_worker);
        store = std::make_unique<storage::MailStore>(*worker_pool);
        alice = make_user("example.com", "alice@example.com", "secret-a");
        bob = make_user("example.com", "bob@example.com", "secret-b");
        carol = make_user("other.org", "carol@other.org", "secret-c");
    }

    storage::LoginRecord make_user(const std::string& tenant, const std::string& address,
                                   const std::string& password) {
        return run(io, [&]() -> asio::awaitable<storage::LoginRecord> {
            co_await storage::ensure_tenant(*pool, tenant);
            EXPECT_TRUE(co_await storage::ensure_user(*pool, address, password));
            co_return *(co_await store->find_login(address));
        }());
    }

    storage::AppendResult append(const storage::LoginRecord& who, const std::string& mailbox,
                                 std::string_view raw) {
        return run(io, store->append({who.user, who.tenant, mailbox, raw, {}, 1000000000}));
    }

    std::int64_t count_messages() {
        return run(io, [&]() -> asio::awaitable<std::int64_t> {
            auto c = co_await pool->acquire();
            co_return (co_await c->exec(kCountMessages))[0].int64(0);
        }());
    }

    asio::io_context io;
    std::string dsn;
    std::unique_ptr<pg::Pool> pool;         // the owner: provisioning, checks
    std::unique_ptr<pg::Pool> worker_pool;  // postimap_app, as serve runs
    std::unique_ptr<storage::MailStore> store;
    storage::LoginRecord alice, bob, carol;
};

inline storage::Flags seen() {
    storage::Flags f;
    f.system.seen = true;
    return f;
}

}  // namespace postimap
