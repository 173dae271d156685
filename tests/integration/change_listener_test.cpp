// NOTIFY from the triggers of migration 0008, received through the worker's
// ChangeListener: what push between workers is built on.
#include "storage/change_listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "tests/support/mail_store_fixture.hpp"

namespace postimap {
namespace {

// The listener runs forever, so it gets an io_context of its own (the
// fixture's run() drives `io` until it has no work left).
class ChangeListenerTest : public MailStoreTest {
  protected:
    // Runs the listener's io_context until `done` says so or 10 s pass.
    void run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done()) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "timed out";
            listen_io.run_one_for(std::chrono::milliseconds(50));
        }
    }

    asio::io_context listen_io;
};

TEST_F(ChangeListenerTest, EveryKindOfChangeIsHeardWithItsModseq) {
    std::vector<storage::MailboxChange> heard;
    int resyncs = 0;
    storage::ChangeListener listener(
        listen_io.get_executor(), dsn,
        [&](const std::vector<storage::MailboxChange>& changes) {
            heard.insert(heard.end(), changes.begin(), changes.end());
        },
        [&] { ++resyncs; });
    asio::co_spawn(listen_io, listener.run(), asio::detached);
    run_until([&] { return resyncs == 1; });  // listening now

    auto appended = append(alice, "INBOX", "Subject: hi\r\n\r\nhello\r\n");
    run_until([&] { return !heard.empty(); });
    EXPECT_EQ(heard.back().user, alice.user);
    auto box = run(io, store->open_mailbox(alice.user, "INBOX", false));
    ASSERT_TRUE(box);
    EXPECT_EQ(heard.back().mailbox, box->id);
    EXPECT_EQ(heard.back().modseq, box->highestmodseq);

    heard.clear();
    storage::Flags flagged;
    flagged.system.flagged = true;
    const std::vector<storage::UidRange> one{{appended.uid, appended.uid}};
    run(io, store->change_flags(alice.user, box->id, one, storage::FlagChange::add, flagged));
    run_until([&] { return !heard.empty(); });
    EXPECT_GT(heard.back().modseq, box->highestmodseq);

    heard.clear();
    run(io, store->subscribe(bob.user, "Lists"));
    run_until([&] { return !heard.empty(); });
    EXPECT_EQ(heard.back().user, bob.user);
    EXPECT_EQ(heard.back().mailbox.value, 0);

    heard.clear();
    run(io, store->create_mailbox(bob.user, "Gone"));
    run(io, store->delete_mailbox(bob.user, "Gone"));
    run_until([&] {
        return std::any_of(heard.begin(), heard.end(),
                           [](const auto& c) { return c.modseq.value == 0; });
    });

    // A change that shows nothing (claiming \Recent) says nothing.
    heard.clear();
    run(io, store->claim_recent(alice.user, box->id));
    run(io, store->subscribe(carol.user, "Marker"));  // something that does notify
    run_until([&] { return !heard.empty(); });
    for (const auto& c : heard)
        EXPECT_EQ(c.user, carol.user);
    listener.stop();
    listen_io.run_for(std::chrono::seconds(2));
}

TEST_F(ChangeListenerTest, ReconnectsAndAsksForAResyncAfterItsConnectionIsKilled) {
    int resyncs = 0;
    std::vector<storage::MailboxChange> heard;
    storage::ChangeListener listener(
        listen_io.get_executor(), dsn,
        [&](const std::vector<storage::MailboxChange>& changes) {
            heard.insert(heard.end(), changes.begin(), changes.end());
        },
        [&] { ++resyncs; });
    asio::co_spawn(listen_io, listener.run(), asio::detached);
    run_until([&] { return resyncs == 1; });
    run(io, [&]() -> asio::awaitable<void> {
        auto c = co_await pool->acquire();
        co_await c->exec_script(
            "select pg_terminate_backend(pid) from pg_stat_activity where query like 'listen %'"
            " and datname = current_database()");
    }());
    run_until([&] { return resyncs == 2; });
    append(alice, "INBOX", "Subject: after\r\n\r\nx\r\n");
    run_until([&] { return !heard.empty(); });
    listener.stop();
    listen_io.run_for(std::chrono::seconds(2));
}

TEST_F(ChangeListenerTest, QueueUsageIsReadable) {
    double usage = run(io, storage::notification_queue_usage(*worker_pool));
    EXPECT_GE(usage, 0.0);
    EXPECT_LT(usage, 0.25);
}

}  // namespace
}  // namespace postimap
