// Mailbox and message operations of RFC 3501 against a real PostgreSQL:
// flags, expunge with tombstones, copy, rename, delete, subscriptions,
// status and \Recent.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "storage/error.hpp"
#include "storage/pg/transaction.hpp"
#include "tests/support/mail_store_fixture.hpp"

namespace postimap {
namespace {

using storage::FlagChange;

const pg::Statement kTombstones{"tombstones",
                                "select uid, modseq from expunged_messages where user_id = $1 and "
                                "mailbox_id = $2 order by uid"};

class MailboxOpsTest : public MailStoreTest {
  protected:
    storage::MailboxId inbox_with(int n) {
        storage::MailboxId id;
        for (int i = 0; i < n; ++i)
            id = append(alice, "INBOX", "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n")
                     .mailbox;
        return id;
    }
    storage::ErrorKind error_of(asio::awaitable<void> work) {
        try {
            run(io, std::move(work));
        } catch (const storage::Error& e) {
            return e.kind();
        }
        ADD_FAILURE() << "expected storage::Error";
        return storage::ErrorKind::invalid;
    }
    static storage::Flags keywords(std::vector<std::string> k, bool flagged = false) {
        storage::Flags f;
        f.keywords = std::move(k);
        f.system.flagged = flagged;
        return f;
    }
};

TEST_F(MailboxOpsTest, ChangeFlagsAddRemoveReplaceWithKeywords) {
    auto box = inbox_with(3);
    const std::vector<storage::UidRange> all{{Uid{1}, Uid{3}}};
    auto added = run(io, store->change_flags(alice.user, box, all, FlagChange::add,
                                             keywords({"$Junk", "work"}, true)));
    ASSERT_EQ(added.size(), 3u);
    EXPECT_EQ(added[0].flags.keywords, (std::vector<std::string>{"$Junk", "work"}));
    EXPECT_TRUE(added[2].flags.system.flagged);
    // All three changes share one MODSEQ.
    EXPECT_EQ(added[0].modseq, added[2].modseq);

    auto removed = run(io, store->change_flags(alice.user, box, {{Uid{2}, Uid{2}}},
                                               FlagChange::remove, keywords({"work"})));
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].flags.keywords, std::vector<std::string>{"$Junk"});
    EXPECT_TRUE(removed[0].flags.system.flagged);
    EXPECT_GT(removed[0].modseq, added[0].modseq);

    auto replaced = run(io, store->change_flags(alice.user, box, all, FlagChange::replace,
                                                keywords({"b", "a", "a"})));
    ASSERT_EQ(replaced.size(), 3u);
    EXPECT_EQ(replaced[1].flags.keywords, (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(replaced[1].flags.system.flagged);
    // Replacing with the same set changes nothing.
    EXPECT_TRUE(run(io, store->change_flags(alice.user, box, all, FlagChange::replace,
                                            keywords({"a", "b"})))
                    .empty());
}

TEST_F(MailboxOpsTest, ConcurrentStoresLoseNoChange) {
    auto box = inbox_with(5);
    const std::vector<storage::UidRange> all{{Uid{1}, Uid{5}}};
    // 16 stores at once over a pool of 4 connections, each adding its own
    // keyword to every message: all 16 must be there afterwards.
    for (int i = 0; i < 16; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                storage::Flags f;
                f.keywords.push_back("k" + std::to_string(i));
                co_await store->change_flags(alice.user, box, all, FlagChange::add, f);
            },
            asio::detached);
    }
    io.restart();
    io.run();
    auto rows = run(io, store->fetch(alice.user, box, all, {}));
    ASSERT_EQ(rows.size(), 5u);
    for (const auto& m : rows)
        EXPECT_EQ(m.flags.keywords.size(), 16u) << "uid " << m.uid.value;
    auto st = run(io, store->mailbox_status(alice.user, "INBOX"));
    EXPECT_EQ(st->highestmodseq.value, 1u + 5u + 16u);  // one per append, one per store
}

// A FLAGS sync over a wide UID range reads arrays of exceptions instead of
// rows (storage/message_fetch.cpp): the flags must be the same either way.
TEST_F(MailboxOpsTest, FlagsOnlyReadOfAWideRangeEqualsTheRowRead) {
    for (int i = 0; i < 12; ++i)
        append(alice, "INBOX", "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n");
    auto box = run(io, store->open_mailbox(alice.user, "INBOX"))->id;
    auto set = [&](std::uint32_t lo, std::uint32_t hi, auto change) {
        storage::Flags f;
        change(f);
        run(io, store->change_flags(alice.user, box, {{Uid{lo}, Uid{hi}}}, FlagChange::add, f));
    };
    set(1, 8, [](storage::Flags& f) { f.system.seen = true; });
    set(2, 3, [](storage::Flags& f) { f.system.answered = true; });
    set(3, 5, [](storage::Flags& f) { f.system.flagged = true; });
    set(5, 5, [](storage::Flags& f) { f.system.deleted = true; });
    set(6, 10, [](storage::Flags& f) { f.system.draft = true; });
    set(4, 4, [](storage::Flags& f) { f.keywords = {"$Label1", "Work"}; });
    set(11, 11, [](storage::Flags& f) { f.keywords = {"$Junk"}; });
    const std::vector<storage::UidRange> wide{{Uid{1}, Uid{4294967295u}}};
    auto expect_same = [](const auto& arrays, const auto& rows) {
        ASSERT_EQ(arrays.size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            EXPECT_EQ(arrays[i].uid, rows[i].uid);
            EXPECT_EQ(arrays[i].flags.system, rows[i].flags.system) << "uid " << rows[i].uid.value;
            EXPECT_EQ(arrays[i].flags.keywords, rows[i].flags.keywords)
                << "uid " << rows[i].uid.value;
        }
    };
    auto rows = run(io, store->fetch(alice.user, box, wide, {}));
    auto arrays = run(io, store->fetch(alice.user, box, wide, {.only_flags = true}));
    ASSERT_EQ(rows.size(), 12u);
    expect_same(arrays, rows);
    EXPECT_TRUE(rows[3].flags.system.flagged && rows[3].flags.system.seen);
    EXPECT_EQ(rows[3].flags.keywords, (std::vector<std::string>{"$Label1", "Work"}));
    EXPECT_FALSE(rows[11].flags.system.seen);

    // The worker's flag table now follows changes by reading only them: a
    // flag and keyword change, an expunge, new messages.
    storage::Flags keywords_gone;
    keywords_gone.keywords = {"$Label1", "Work"};
    run(io, store->change_flags(alice.user, box, {{Uid{4}, Uid{4}}}, FlagChange::remove,
                                keywords_gone));
    set(12, 12, [](storage::Flags& f) { f.system.flagged = true; });
    run(io, store->expunge(alice.user, box, std::nullopt));  // uid 5 was \Deleted
    append(alice, "INBOX", "Subject: new\r\n\r\nx\r\n");
    set(13, 13, [](storage::Flags& f) { f.keywords = {"Later"}; });
    rows = run(io, store->fetch(alice.user, box, wide, {}));
    arrays = run(io, store->fetch(alice.user, box, wide, {.only_flags = true}));
    ASSERT_EQ(rows.size(), 12u);
    expect_same(arrays, rows);
    // Another user asking for this mailbox gets nothing from the table.
    EXPECT_TRUE(run(io, store->fetch(bob.user, box, wide, {.only_flags = true})).empty());
}

TEST_F(MailboxOpsTest, ExpungeRemovesDeletedAndLeavesTombstones) {
    auto box = inbox_with(5);
    storage::Flags deleted;
    deleted.system.deleted = true;
    run(io, store->change_flags(alice.user, box, {{Uid{2}, Uid{3}}, {Uid{5}, Uid{5}}},
                                FlagChange::add, deleted));
    // UID EXPUNGE limited to 3:5 leaves 2 alone.
    auto some =
        run(io, store->expunge(alice.user, box, std::vector<storage::UidRange>{{Uid{3}, Uid{5}}}));
    EXPECT_EQ(some, (std::vector<Uid>{Uid{3}, Uid{5}}));
    auto rest = run(io, store->expunge(alice.user, box, std::nullopt));
    EXPECT_EQ(rest, (std::vector<Uid>{Uid{2}}));
    EXPECT_TRUE(run(io, store->expunge(alice.user, box, std::nullopt)).empty());

    auto snapshot = run(io, store->open_mailbox(alice.user, "INBOX"));
    EXPECT_EQ(snapshot->uids, (std::vector<Uid>{Uid{1}, Uid{4}}));
    auto tombs = run(io, [&]() -> asio::awaitable<std::vector<std::int64_t>> {
        auto c = co_await pool->acquire();
        auto r = co_await c->exec(kTombstones, pg::Params(alice.user.value, box.value));
        std::vector<std::int64_t> uids;
        for (int i = 0; i < r.rows(); ++i) {
            uids.push_back(r[i].int64(0));
            EXPECT_LE(r[i].int64(1), static_cast<std::int64_t>(snapshot->highestmodseq.value));
        }
        co_return uids;
    }());
    EXPECT_EQ(tombs, (std::vector<std::int64_t>{2, 3, 5}));
    // UIDs are never reused after an expunge.
    EXPECT_EQ(append(alice, "INBOX", "Subject: new\r\n\r\n").uid, Uid{6});
}

// Each system flag alone, through every fetch statement (flags only with one
// range, flags only with several ranges, with the message row): the flags
// travel packed in one integer, and a wrong bit would swap them.
TEST_F(MailboxOpsTest, FetchReportsEachSystemFlagByItself) {
    auto box = inbox_with(5);
    for (int bit = 0; bit < 5; ++bit) {
        storage::Flags f;
        f.system = {bit == 0, bit == 1, bit == 2, bit == 3, bit == 4};
        const std::vector<storage::UidRange> one{{Uid(bit + 1), Uid(bit + 1)}};
        run(io, store->change_flags(alice.user, box, one, FlagChange::replace, f));
    }
    const std::vector<storage::UidRange> whole{{Uid{1}, Uid{5}}};
    const std::vector<storage::UidRange> split{{Uid{1}, Uid{2}}, {Uid{3}, Uid{5}}};
    for (auto needs : {storage::FetchNeeds{}, storage::FetchNeeds{.size = true}}) {
        for (const auto* ranges : {&whole, &split}) {
            auto rows = run(io, store->fetch(alice.user, box, *ranges, needs));
            ASSERT_EQ(rows.size(), 5u);
            for (int bit = 0; bit < 5; ++bit) {
                const auto& s = rows[bit].flags.system;
                const storage::SystemFlags want{bit == 0, bit == 1, bit == 2, bit == 3, bit == 4};
                EXPECT_EQ(s, want) << "message " << bit + 1;
                EXPECT_EQ(rows[bit].uid, Uid(bit + 1));
                EXPECT_TRUE(rows[bit].flags.keywords.empty());
            }
        }
    }
}

TEST_F(MailboxOpsTest, CopyKeepsFlagsAndDateAndSharesBytes) {
    auto box = inbox_with(3);
    run(io, store->change_flags(alice.user, box, {{Uid{2}, Uid{2}}}, FlagChange::add,
                                keywords({"kw"}, true)));
    run(io, store->create_mailbox(alice.user, "Archive"));
    append(alice, "Archive", "Subject: already there\r\n\r\n");
    const auto before = count_messages();
    auto copied = run(io, store->copy(alice.user, box, {{Uid{2}, Uid{3}}}, "Archive"));
    ASSERT_EQ(copied.uids.size(), 2u);
    EXPECT_EQ(copied.uids[0], (std::pair{Uid{2}, Uid{2}}));
    EXPECT_EQ(copied.uids[1], (std::pair{Uid{3}, Uid{3}}));
    EXPECT_EQ(count_messages(), before);  // no bytes copied
    auto rows =
        run(io, store->fetch(alice.user, copied.mailbox, {{Uid{2}, Uid{2}}}, {.raw = true}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_TRUE(rows[0].flags.system.flagged);
    EXPECT_EQ(rows[0].flags.keywords, std::vector<std::string>{"kw"});
    EXPECT_EQ(rows[0].internal_date, 1000000000);
    EXPECT_EQ(*rows[0].raw, "Subject: 1\r\n\r\nbody\r\n");
    // Named outside the coroutines: g++ 12 cannot keep an initializer
    // list's array in a coroutine frame.
    const std::vector<storage::UidRange> first{{Uid{1}, Uid{1}}}, all{{Uid{1}, Uid{3}}};
    EXPECT_EQ(error_of([&]() -> asio::awaitable<void> {
                  co_await store->copy(alice.user, box, first, "Nowhere");
              }()),
              storage::ErrorKind::not_found);
    // Bob cannot copy into Alice's mailbox, nor out of it.
    EXPECT_EQ(error_of([&]() -> asio::awaitable<void> {
                  co_await store->copy(bob.user, box, all, "Archive");
              }()),
              storage::ErrorKind::not_found);
    auto bob_inbox = run(io, store->open_mailbox(bob.user, "INBOX"));
    auto none = run(io, store->copy(bob.user, box, {{Uid{1}, Uid{3}}}, "INBOX"));
    EXPECT_TRUE(none.uids.empty());
    EXPECT_EQ(none.mailbox, bob_inbox->id);
}

TEST_F(MailboxOpsTest, RenameMovesChildrenAndRefusesClashes) {
    for (const char* name : {"a", "a/b", "a/b/c", "ab", "x"})
        run(io, store->create_mailbox(alice.user, name));
    run(io, store->rename_mailbox(alice.user, "a", "z"));
    std::vector<std::string> names;
    for (const auto& m : run(io, store->list_mailboxes(alice.user)))
        names.push_back(m.name);
    EXPECT_EQ(names, (std::vector<std::string>{"INBOX", "ab", "x", "z", "z/b", "z/b/c"}));
    EXPECT_EQ(error_of(store->rename_mailbox(alice.user, "ab", "x")),
              storage::ErrorKind::already_exists);
    EXPECT_EQ(error_of(store->rename_mailbox(alice.user, "nope", "y")),
              storage::ErrorKind::not_found);
    EXPECT_EQ(error_of(store->rename_mailbox(bob.user, "x", "y")), storage::ErrorKind::not_found);
}

TEST_F(MailboxOpsTest, RenameInboxMovesMessagesAndKeepsInboxCounters) {
    inbox_with(3);
    auto inbox_before = run(io, store->mailbox_status(alice.user, "INBOX"));
    run(io, store->rename_inbox(alice.user, "Old"));
    auto inbox = run(io, store->mailbox_status(alice.user, "INBOX"));
    auto old = run(io, store->open_mailbox(alice.user, "Old"));
    EXPECT_EQ(inbox->messages, 0);
    EXPECT_EQ(inbox->uidnext, inbox_before->uidnext);
    EXPECT_EQ(inbox->uidvalidity, inbox_before->uidvalidity);
    EXPECT_EQ(old->uids, (std::vector<Uid>{Uid{1}, Uid{2}, Uid{3}}));
    EXPECT_EQ(old->uidnext, Uid{4});
    EXPECT_NE(old->uidvalidity, inbox->uidvalidity);
    EXPECT_EQ(error_of(store->rename_inbox(alice.user, "Old")), storage::ErrorKind::already_exists);
    EXPECT_EQ(append(alice, "INBOX", "Subject: after\r\n\r\n").uid, Uid{4});
}

TEST_F(MailboxOpsTest, DeleteRemovesMessagesButNotChildren) {
    run(io, store->create_mailbox(alice.user, "p"));
    run(io, store->create_mailbox(alice.user, "p/q"));
    append(alice, "p", "Subject: doomed\r\n\r\n");
    run(io, store->delete_mailbox(alice.user, "p"));
    EXPECT_FALSE(run(io, store->open_mailbox(alice.user, "p")));
    EXPECT_TRUE(run(io, store->open_mailbox(alice.user, "p/q")));
    EXPECT_EQ(error_of(store->delete_mailbox(alice.user, "p")), storage::ErrorKind::not_found);
    EXPECT_EQ(error_of(store->delete_mailbox(bob.user, "p/q")), storage::ErrorKind::not_found);
    // A new mailbox of the same name gets a new UIDVALIDITY.
    auto first = run(io, store->mailbox_status(alice.user, "p/q"))->uidvalidity;
    run(io, store->delete_mailbox(alice.user, "p/q"));
    run(io, store->create_mailbox(alice.user, "p/q"));
    EXPECT_NE(run(io, store->mailbox_status(alice.user, "p/q"))->uidvalidity, first);
}

TEST_F(MailboxOpsTest, SubscriptionsAreNamesOfTheirOwn) {
    EXPECT_EQ(run(io, store->subscriptions(alice.user)), std::vector<std::string>{"INBOX"});
    run(io, store->subscribe(alice.user, "Not/Yet"));
    run(io, store->subscribe(alice.user, "Not/Yet"));  // twice is fine
    EXPECT_EQ(run(io, store->subscriptions(alice.user)),
              (std::vector<std::string>{"INBOX", "Not/Yet"}));
    EXPECT_EQ(run(io, store->subscriptions(bob.user)), std::vector<std::string>{"INBOX"});
    run(io, store->unsubscribe(alice.user, "Not/Yet"));
    EXPECT_EQ(error_of(store->unsubscribe(alice.user, "Not/Yet")), storage::ErrorKind::not_found);
}

TEST_F(MailboxOpsTest, StatusCountsAndRecentIsClaimedOnce) {
    auto box = inbox_with(3);
    run(io, store->change_flags(alice.user, box, {{Uid{1}, Uid{1}}}, FlagChange::add, seen()));
    auto st = run(io, store->mailbox_status(alice.user, "INBOX"));
    EXPECT_EQ(st->messages, 3);
    EXPECT_EQ(st->unseen, 2);
    EXPECT_EQ(st->recent, 3);
    EXPECT_EQ(st->uidnext, Uid{4});
    // EXAMINE sees them as recent without claiming; SELECT claims them.
    auto examined = run(io, store->open_mailbox(alice.user, "INBOX", false))->recent;
    EXPECT_EQ(examined.from, Uid{1});
    EXPECT_EQ(examined.to, Uid{4});
    auto selected = run(io, store->open_mailbox(alice.user, "INBOX", true))->recent;
    EXPECT_EQ(selected.from, Uid{1});
    EXPECT_EQ(selected.to, Uid{4});
    // Nothing left to claim: no message is recent to the second SELECT (and
    // it wrote nothing: a SELECT without news does not wait for a WAL flush).
    auto again = run(io, store->open_mailbox(alice.user, "INBOX", true))->recent;
    EXPECT_EQ(again.from, again.to);
    EXPECT_EQ(run(io, store->mailbox_status(alice.user, "INBOX"))->recent, 0);
    EXPECT_FALSE(run(io, store->mailbox_status(bob.user, "Nope")));
}

// STATUS reads counts kept by triggers (migration 0011): after every kind
// of change they must equal a count of the rows.
TEST_F(MailboxOpsTest, StatusCountsFollowEveryKindOfChange) {
    const pg::Statement counted{"count_rows",
                                "select b.name, b.message_count, b.unseen_count, count(mm.uid),"
                                " count(mm.uid) filter (where not mm.seen)"
                                " from mailboxes b left join mailbox_messages mm"
                                "   on mm.user_id = b.user_id and mm.mailbox_id = b.id"
                                " group by b.user_id, b.id order by b.user_id, b.name"};
    auto check = [&](const std::string& step) {
        auto rows = run(io, [&]() -> asio::awaitable<pg::Result> {
            auto c = co_await pool->acquire();
            co_return co_await c->exec(counted);
        }());
        ASSERT_GT(rows.rows(), 0);
        for (int i = 0; i < rows.rows(); ++i) {
            auto row = rows[i];
            EXPECT_EQ(row.int64(1), row.int64(3)) << step << ": messages of " << row.str(0);
            EXPECT_EQ(row.int64(2), row.int64(4)) << step << ": unseen of " << row.str(0);
        }
    };
    auto box = inbox_with(6);
    check("append");
    const std::vector<storage::UidRange> some{{Uid{1}, Uid{3}}}, all{{Uid{1}, Uid{6}}};
    run(io, store->change_flags(alice.user, box, some, FlagChange::add, seen()));
    check("store +\\Seen");
    run(io, store->change_flags(alice.user, box, {{Uid{2}, Uid{2}}}, FlagChange::remove, seen()));
    check("store -\\Seen");
    run(io, store->change_flags(alice.user, box, all, FlagChange::add, keywords({"kw"})));
    check("store of a keyword");
    run(io, store->change_flags(alice.user, box, {{Uid{4}, Uid{5}}}, FlagChange::replace,
                                keywords({}, true)));
    check("store replacing flags");
    run(io, store->create_mailbox(alice.user, "Archive"));
    run(io, store->copy(alice.user, box, all, "Archive"));
    check("copy");
    run(io, store->move(alice.user, box, some, "Archive"));
    check("move");
    storage::Flags deleted;
    deleted.system.deleted = true;
    run(io, store->change_flags(alice.user, box, all, FlagChange::add, deleted));
    run(io, store->expunge(alice.user, box, std::vector<storage::UidRange>{{Uid{4}, Uid{4}}}));
    check("expunge of one");
    run(io, store->expunge(alice.user, box, std::nullopt));
    check("expunge of all");
    append(alice, "INBOX", "Subject: new\r\n\r\n");
    run(io, store->rename_inbox(alice.user, "Old"));
    check("rename of INBOX");
    append(bob, "INBOX", "Subject: for bob\r\n\r\n");
    run(io, store->delete_mailbox(alice.user, "Archive"));
    check("delete");
    auto st = run(io, store->mailbox_status(alice.user, "Old"));
    EXPECT_EQ(st->messages, 1);
    EXPECT_EQ(st->unseen, 1);
}

// SELECT claims \Recent in the statement that reads the UID list. When an
// APPEND commits while the claim waits for the mailbox row, the claim takes
// the newer row and covers a message the UID list (the older snapshot)
// lacks: its end says so, and the session counts that message as recent
// when it learns of it (session_state.hpp). Without the end, nobody would.
TEST_F(MailboxOpsTest, AClaimWaitingForAnAppendCoversTheAppendedMessage) {
    const pg::Statement bump{"bump_uidnext",
                             "update mailboxes set uidnext = uidnext + 1"
                             " where user_id = $1 and name = 'INBOX'"};
    const pg::Statement waiting{
        "claim_waiting",
        "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
        " and query like '%with claim as%'"};
    inbox_with(3);
    std::optional<storage::MailboxSnapshot> opened;
    run(io, [&]() -> asio::awaitable<void> {
        // An APPEND in progress, as far as the mailbox row goes: it has
        // taken UID 4 and holds the row until it commits.
        auto append = co_await pg::Transaction::begin(*pool);
        co_await append.exec(bump, pg::Params(alice.user.value));
        bool done = false;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                opened = co_await store->open_mailbox(alice.user, "INBOX", true);
                done = true;
            },
            asio::detached);
        // Commit once the SELECT's statement is waiting for the row.
        auto observer = co_await pool->acquire();
        asio::steady_timer pause(io);
        for (int i = 0; i < 500; ++i) {
            if ((co_await observer->exec(waiting))[0].int64(0) > 0)
                break;
            pause.expires_after(std::chrono::milliseconds(10));
            co_await pause.async_wait(asio::use_awaitable);
        }
        EXPECT_FALSE(done) << "the SELECT did not wait for the row lock";
        co_await append.commit();
        for (int i = 0; i < 500 && !done; ++i) {
            pause.expires_after(std::chrono::milliseconds(10));
            co_await pause.async_wait(asio::use_awaitable);
        }
    }());
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->uids.size(), 3u);  // the snapshot predates the commit
    EXPECT_EQ(opened->recent.from, Uid{1});
    EXPECT_EQ(opened->recent.to, Uid{5});  // the claim covers UID 4 too
    // Nobody else gets UID 4 as recent.
    EXPECT_FALSE(run(io, store->claim_recent(alice.user, opened->id)));
}

}  // namespace
}  // namespace postimap
