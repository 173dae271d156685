// The mail store and the provisioning functions against a real PostgreSQL.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include "server/auth/password.hpp"
#include "storage/error.hpp"
#include "storage/mail_store.hpp"
#include "storage/mime/part_json.hpp"
#include "storage/pg/error.hpp"
#include "storage/provisioning.hpp"
#include "tests/support/mail_store_fixture.hpp"
#include "tests/support/test_database.hpp"

namespace postimap {
namespace {

namespace asio = boost::asio;
using storage::Uid;
using test::run;

TEST_F(MailStoreTest, PasswordSecretMadeInSqlVerifiesInTheWorker) {
    EXPECT_TRUE(auth::verify_password(alice.password_secret, "secret-a"));
    EXPECT_FALSE(auth::verify_password(alice.password_secret, "secret-b"));
    EXPECT_FALSE(auth::verify_password(alice.password_secret, ""));
    EXPECT_EQ(alice.password_secret.find("secret-a"), std::string::npos);
    EXPECT_TRUE(alice.password_secret.starts_with("SCRAM-SHA-256$4096:"));
}

TEST_F(MailStoreTest, LoginLookupIsCaseInsensitiveAndRejectsMalformedAddresses) {
    auto found = run(io, store->find_login("ALICE@Example.COM"));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->user, alice.user);
    EXPECT_FALSE(run(io, store->find_login("alice")));
    EXPECT_FALSE(run(io, store->find_login("@example.com")));
    EXPECT_FALSE(run(io, store->find_login("nobody@example.com")));
}

TEST_F(MailStoreTest, AppendedBytesComeBackExactly) {
    std::string raw("Subject: =?utf-8?q?x?=\nFrom: \xff\xfe <a@b>\n\nbody\0with nul\r\n\xc3", 47);
    auto r = append(alice, "INBOX", raw);
    EXPECT_EQ(r.uid, Uid{1});
    auto rows = run(io, store->fetch(alice.user, r.mailbox, {{Uid{1}, Uid{1}}}, {.raw = true}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(*rows[0].raw, raw);
    EXPECT_EQ(rows[0].size, static_cast<std::int64_t>(raw.size()));
    EXPECT_EQ(rows[0].internal_date, 1000000000);
}

// FETCH (ENVELOPE) reads only the envelope out of the stored structure
// (jsonb's structure->'envelope'): it must read as the whole structure's.
TEST_F(MailStoreTest, EnvelopeAloneReadsAsTheWholeStructuresEnvelope) {
    const std::string messages[] = {
        "From: \"A, B\" <a@b.example>\r\nTo: x@y, \"Q\" <q@r>\r\nCc: group: c@d, e@f;\r\n"
        "Subject: =?utf-8?q?caf=C3=A9?=\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n"
        "Message-ID: <m@id>\r\nIn-Reply-To: <p@id>\r\n\r\nbody\r\n",
        std::string("Subject: 8-bit \xff\xfe here\r\nFrom: \xe9t\xe9 <a@b>\r\n\r\nx\r\n"),
        "From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=xx\r\n\r\n"
        "--xx\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@c\r\nSubject: inner\r\n\r\n"
        "hi\r\n--xx--\r\n",
        "no header at all\r\n"};
    storage::MailboxId box;
    for (const auto& raw : messages)
        box = append(alice, "INBOX", raw).mailbox;
    const std::vector<storage::UidRange> all{{Uid{1}, Uid{4}}};
    auto whole = run(io, store->fetch(alice.user, box, all, {.structure = true}));
    auto alone =
        run(io, store->fetch(alice.user, box, all, {.structure = true, .only_envelope = true}));
    ASSERT_EQ(whole.size(), 4u);
    ASSERT_EQ(alone.size(), 4u);
    for (std::size_t i = 0; i < whole.size(); ++i) {
        ASSERT_TRUE(whole[i].structure && alone[i].structure) << i;
        EXPECT_LT(alone[i].structure->size(), whole[i].structure->size()) << i;
        auto part = mime::part_from_json(*whole[i].structure);
        auto envelope = mime::envelope_from_json(*alone[i].structure);
        ASSERT_TRUE(part && part->envelope && envelope) << i;
        EXPECT_EQ(*envelope, *part->envelope) << i;
        EXPECT_FALSE(alone[i].raw) << i;
    }
    EXPECT_EQ(mime::part_from_json(*whole[0].structure)->envelope->subject,
              "=?utf-8?q?caf=C3=A9?=");
}

TEST_F(MailStoreTest, SameBytesAreStoredOncePerTenant) {
    append(alice, "INBOX", "Subject: same\r\n\r\nx\r\n");
    append(alice, "INBOX", "Subject: same\r\n\r\nx\r\n");
    append(bob, "INBOX", "Subject: same\r\n\r\nx\r\n");
    EXPECT_EQ(count_messages(), 1);
    append(carol, "INBOX", "Subject: same\r\n\r\nx\r\n");  // another tenant
    EXPECT_EQ(count_messages(), 2);
}

TEST_F(MailStoreTest, ConcurrentAppendsGetDistinctAscendingUids) {
    std::vector<std::uint32_t> uids;
    run(io, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 20; ++i) {
            asio::co_spawn(
                io,
                [&, i]() -> asio::awaitable<void> {
                    std::string raw = "Subject: " + std::to_string(i) + "\r\n\r\n.\r\n";
                    // A named request: g++ 12 destroys a braced temporary
                    // inside a co_await expression twice.
                    storage::AppendRequest request{alice.user, alice.tenant, "INBOX", raw, {}, 0};
                    auto r = co_await store->append(request);
                    uids.push_back(r.uid.value);
                },
                asio::detached);
        }
        co_return;
    }());
    io.restart();
    io.run();
    ASSERT_EQ(uids.size(), 20u);
    std::sort(uids.begin(), uids.end());
    for (std::uint32_t i = 0; i < 20; ++i)
        EXPECT_EQ(uids[i], i + 1);
    auto box = run(io, store->open_mailbox(alice.user, "INBOX"));
    ASSERT_TRUE(box);
    EXPECT_EQ(box->uids.size(), 20u);
    EXPECT_EQ(box->uidnext, Uid{21});
    EXPECT_EQ(box->highestmodseq.value, 21u);
}

TEST_F(MailStoreTest, AppendToMissingMailboxFailsAndStoresNothing) {
    try {
        append(alice, "Nope", "Subject: x\r\n\r\n");
        FAIL() << "expected storage::Error";
    } catch (const storage::Error& e) {
        EXPECT_EQ(e.kind(), storage::ErrorKind::not_found);
    }
    EXPECT_EQ(count_messages(), 0);
}

TEST_F(MailStoreTest, MarkSeenChangesOnlyUnseenAndBumpsModseq) {
    auto r = append(alice, "INBOX", "Subject: a\r\n\r\n");
    append(alice, "INBOX", "Subject: b\r\n\r\n");
    auto before = run(io, store->open_mailbox(alice.user, "INBOX"));
    EXPECT_EQ(before->first_unseen, Uid{1});
    auto changed = run(io, store->change_flags(alice.user, r.mailbox, {{Uid{1}, Uid{1}}},
                                               storage::FlagChange::add, seen()));
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0].uid, Uid{1});
    EXPECT_TRUE(changed[0].flags.system.seen);
    EXPECT_EQ(changed[0].modseq.value, before->highestmodseq.value + 1);
    // Nothing changes the second time, and MODSEQ stays where it is.
    EXPECT_TRUE(run(io, store->change_flags(alice.user, r.mailbox, {{Uid{1}, Uid{1}}},
                                            storage::FlagChange::add, seen()))
                    .empty());
    auto after = run(io, store->open_mailbox(alice.user, "INBOX"));
    EXPECT_EQ(after->first_unseen, Uid{2});
    EXPECT_EQ(after->highestmodseq.value, before->highestmodseq.value + 1);
}

TEST_F(MailStoreTest, UsersSeeOnlyTheirOwnMailboxesAndMessages) {
    auto r = append(alice, "INBOX", "Subject: private\r\n\r\n");
    run(io, store->create_mailbox(alice.user, "Secret"));
    // Bob and Carol cannot open Alice's mailbox, by name or by id.
    EXPECT_FALSE(run(io, store->open_mailbox(bob.user, "Secret")));
    EXPECT_FALSE(run(io, store->open_mailbox(carol.user, "Secret")));
    EXPECT_TRUE(
        run(io, store->fetch(bob.user, r.mailbox, {{Uid{1}, Uid{4294967295}}}, {.raw = true}))
            .empty());
    EXPECT_TRUE(run(io, store->change_flags(carol.user, r.mailbox, {{Uid{1}, Uid{1}}},
                                            storage::FlagChange::add, seen()))
                    .empty());
    auto mine = run(io, store->list_mailboxes(bob.user));
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].name, "INBOX");
    EXPECT_THROW(append(bob, "Secret", "x"), storage::Error);
}

TEST_F(MailStoreTest, CreateMailboxTwiceIsAlreadyExists) {
    run(io, store->create_mailbox(alice.user, "Work"));
    try {
        run(io, store->create_mailbox(alice.user, "Work"));
        FAIL() << "expected storage::Error";
    } catch (const storage::Error& e) {
        EXPECT_EQ(e.kind(), storage::ErrorKind::already_exists);
    }
    // Another user may have the same name.
    run(io, store->create_mailbox(bob.user, "Work"));
}

TEST_F(MailStoreTest, ProvisioningErrorsCarryDistinctSqlstates) {
    auto sqlstate_of = [&](const std::string& sql) {
        try {
            run(io, [&]() -> asio::awaitable<void> {
                auto c = co_await pool->acquire();
                co_await c->exec_script(sql);
            }());
        } catch (const pg::Error& e) {
            return e.sqlstate();
        }
        return std::string("none");
    };
    EXPECT_EQ(sqlstate_of("select create_user('x@unknown.net', 'pw')"), "P0002");
    EXPECT_EQ(sqlstate_of("select create_user('alice@example.com', 'pw')"), "23505");
    EXPECT_EQ(sqlstate_of("select create_user('no-at-sign', 'pw')"), "22023");
    EXPECT_EQ(sqlstate_of("select set_password('ghost@example.com', 'pw')"), "P0002");
    EXPECT_EQ(sqlstate_of("select disable_user('bob@example.com')"), "none");
    auto bob_now = run(io, store->find_login("bob@example.com"));
    EXPECT_TRUE(bob_now->disabled);
}

}  // namespace
}  // namespace postimap

namespace postimap {
namespace {

// SELECT reads a large mailbox's UIDs from the worker's cache plus what
// changed since; the result must equal a read from scratch (a second store,
// with an empty cache) after appends, expunges, moves and a recreation.
TEST_F(MailStoreTest, CachedUidListsEqualAFreshReadAfterEveryKindOfChange) {
    auto fresh_uids = [&](const std::string& name) {
        storage::MailStore other(*worker_pool);
        auto box = run(io, other.open_mailbox(alice.user, name));
        return box ? box->uids.list() : std::vector<Uid>{};
    };
    auto cached_uids = [&](const std::string& name) {
        auto box = run(io, store->open_mailbox(alice.user, name));
        return box ? box->uids.list() : std::vector<Uid>{};
    };
    run(io, store->create_mailbox(alice.user, "Big"));
    run(io, store->create_mailbox(alice.user, "Other"));
    for (int i = 0; i < 20; ++i)
        append(alice, "Big", "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n");
    EXPECT_EQ(cached_uids("Big").size(), 20u);  // fills the cache
    for (int i = 20; i < 25; ++i)
        append(alice, "Big", "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n");
    auto box = run(io, store->open_mailbox(alice.user, "Big"));
    ASSERT_TRUE(box);
    EXPECT_EQ(box->uids, fresh_uids("Big"));
    EXPECT_EQ(box->uids.size(), 25u);
    // Expunge a few in the middle, move some away: both leave tombstones.
    storage::Flags deleted;
    deleted.system.deleted = true;
    run(io, store->change_flags(alice.user, box->id, {storage::UidRange{Uid{3}, Uid{5}}},
                                storage::FlagChange::add, deleted));
    run(io, store->expunge(alice.user, box->id, std::nullopt));
    run(io, store->move(alice.user, box->id, {storage::UidRange{Uid{10}, Uid{12}}}, "Other"));
    append(alice, "Big", "Subject: late\r\n\r\nbody\r\n");
    EXPECT_EQ(cached_uids("Big"), fresh_uids("Big"));
    EXPECT_EQ(cached_uids("Big").size(), 20u);
    EXPECT_EQ(cached_uids("Other"), fresh_uids("Other"));
    // Deleted and created again under the same name: a new mailbox.
    run(io, store->delete_mailbox(alice.user, "Big"));
    EXPECT_FALSE(run(io, store->open_mailbox(alice.user, "Big")));
    run(io, store->create_mailbox(alice.user, "Big"));
    append(alice, "Big", "Subject: new\r\n\r\nbody\r\n");
    EXPECT_EQ(cached_uids("Big"), std::vector<Uid>{Uid{1}});
    // Renamed away and back: same mailbox, same list.
    run(io, store->rename_mailbox(alice.user, "Other", "Moved"));
    append(alice, "Moved", "Subject: moved\r\n\r\nbody\r\n");
    run(io, store->rename_mailbox(alice.user, "Moved", "Other"));
    EXPECT_EQ(cached_uids("Other"), fresh_uids("Other"));
    EXPECT_EQ(cached_uids("Other").size(), 4u);
}

}  // namespace
}  // namespace postimap
