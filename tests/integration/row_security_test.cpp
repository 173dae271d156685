// The database's own wall between users and tenants (schema/security.sql):
// a connection acting as postimap_app for one user sees and changes only
// that user's rows, and its tenant's shared messages, even when a query
// names another user outright.
#include "tests/support/mail_store_fixture.hpp"

#include "storage/pg/error.hpp"

namespace postimap {
namespace {

class RowSecurityTest : public MailStoreTest {
  protected:
    // Runs `sql` on a worker-role connection acting for `user` (none: 0).
    std::int64_t count_as(std::int64_t user, const std::string& sql) {
        return run(io, [&]() -> asio::awaitable<std::int64_t> {
            auto c = co_await worker_pool->acquire();
            if (user != 0)
                co_await c->ensure_setting("postimap.user_id", std::to_string(user));
            auto r = co_await c->exec_dynamic(sql, {});
            co_return r[0].int64(0);
        }());
    }

    std::string error_as(std::int64_t user, const std::string& sql) {
        return run(io, [&]() -> asio::awaitable<std::string> {
            auto c = co_await worker_pool->acquire();
            co_await c->ensure_setting("postimap.user_id", std::to_string(user));
            try {
                co_await c->exec_dynamic(sql, {});
            } catch (const pg::Error& e) {
                co_return e.sqlstate();
            }
            co_return "";
        }());
    }
};

TEST_F(RowSecurityTest, OtherUsersAndTenantsAreInvisible) {
    append(bob, "INBOX", "Subject: bob's\r\n\r\nhello bob\r\n");
    append(carol, "INBOX", "Subject: carol's\r\n\r\nhello carol\r\n");
    const auto a = alice.user.value, b = bob.user.value;
    const std::string bob_rows = " where user_id = " + std::to_string(b);

    // The owner sees everything.
    EXPECT_EQ(count_messages(), 2);
    // Alice's connection: none of Bob's mailboxes or messages, even by id.
    EXPECT_EQ(count_as(a, "select count(*) from mailbox_messages" + bob_rows), 0);
    EXPECT_EQ(count_as(a, "select count(*) from mailboxes" + bob_rows), 0);
    EXPECT_EQ(count_as(a, "select count(*) from subscriptions" + bob_rows), 0);
    EXPECT_EQ(count_as(a, "select count(*) from users"), 1);
    // Shared message bytes: her tenant's (Bob's, stored once per tenant),
    // never Carol's tenant's.
    EXPECT_EQ(count_as(a, "select count(*) from messages"), 1);
    EXPECT_EQ(count_as(a, "select count(*) from message_headers where tenant_id = " +
                              std::to_string(carol.tenant.value)),
              0);
    // The search functions (the one path past the policies) stay within
    // the tenant: Carol's words are not found for Alice.
    EXPECT_EQ(count_as(a, "select count(*) from header_line_matches('%carol%')"), 0);
    EXPECT_EQ(count_as(a, "select count(*) from body_matches('%hello carol%')"), 0);
    EXPECT_EQ(count_as(a, "select count(*) from header_field_matches('subject', '%carol%')"), 0);
    EXPECT_EQ(count_as(carol.user.value, "select count(*) from body_matches('%hello carol%')"), 1);
    // Bob sees his own.
    EXPECT_EQ(count_as(b, "select count(*) from mailbox_messages"), 1);
}

TEST_F(RowSecurityTest, AConnectionActingForNobodySeesNothing) {
    append(bob, "INBOX", "Subject: bob's\r\n\r\nhello bob\r\n");
    ASSERT_EQ(count_messages(), 1);  // there is something to hide
    // A new pool on the same database: its connection never acted for anyone.
    pg::PoolOptions options{dsn, 1};
    options.role = "postimap_app";
    EXPECT_EQ(run(io,
                  [&]() -> asio::awaitable<std::int64_t> {
                      pg::Pool fresh(io.get_executor(), options);
                      auto c = co_await fresh.acquire();
                      auto r = co_await c->exec_dynamic(
                          "select (select count(*) from mailbox_messages) +"
                          " (select count(*) from messages) + (select count(*) from users)",
                          {});
                      co_return r[0].int64(0);
                  }()),
              0);
}

TEST_F(RowSecurityTest, OtherUsersRowsCannotBeChangedOrCreated) {
    append(bob, "INBOX", "Subject: bob's\r\n\r\nhello bob\r\n");
    const auto a = alice.user.value;
    const std::string bob = std::to_string(this->bob.user.value);
    // Updates and deletes find no rows of Bob's...
    EXPECT_EQ(count_as(a, "with u as (update mailbox_messages set seen = true where user_id = " +
                              bob + " returning 1) select count(*) from u"),
              0);
    EXPECT_EQ(count_as(a, "with d as (delete from mailboxes where user_id = " + bob +
                              " returning 1) select count(*) from d"),
              0);
    // ...and rows for him cannot be created (42501: policy violation).
    EXPECT_EQ(error_as(a, "insert into subscriptions (user_id, name) values (" + bob + ", 'x')"),
              "42501");
    // Nor may the worker role touch accounts (provisioning is the owner's).
    EXPECT_EQ(error_as(a, "update users set disabled = true"), "42501");
    EXPECT_EQ(count_as(this->bob.user.value, "select count(*) from mailbox_messages"), 1);
}

TEST_F(RowSecurityTest, LoginLookupWorksBeforeAnyUserIsKnown) {
    // find_login runs as the worker role with no user set.
    auto found = run(io, store->find_login("Bob@Example.com"));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->user, bob.user);
}

}  // namespace
}  // namespace postimap
