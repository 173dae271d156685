#include "storage/error.hpp"
#include "storage/mail_store.hpp"
#include "storage/pg/error.hpp"
#include "storage/pg/transaction.hpp"

namespace postimap::storage {
namespace {

const pg::Statement kListMailboxes{
    "list_mailboxes",
    "select m.id, m.name, s.name is not null, m.special_use from mailboxes m"
    " left join subscriptions s on s.user_id = m.user_id and s.name = m.name"
    " where m.user_id = $1 order by m.name"};

// SELECT makes its session the one that reports the unclaimed \Recent
// messages ($3 for the full read, $5 for the delta; false for EXAMINE), in
// the same statement as the read: one round trip. Only when there is
// something to claim: an update (or a row lock) makes the SELECT a writing
// transaction, whose commit waits for a WAL flush, and clients SELECT the
// same mailbox again and again. The claim locks the row's newest version,
// which may be newer than the statement's snapshot (an APPEND committed
// meanwhile): it returns its own end, and the session counts the messages
// below it as recent when it learns of them.
#define POSTIMAP_CLAIM_RECENT_CTE(CLAIM)                                           \
    "with claim as (update mailboxes m set recent_uid = m.uidnext"                 \
    " from (select id, recent_uid from mailboxes where user_id = $1 and name = $2" \
    "       and recent_uid < uidnext and " CLAIM                                   \
    " for update) old"                                                             \
    " where m.user_id = $1 and m.id = old.id returning old.recent_uid, m.uidnext) "

// What both reads return after the UIDs: the first unseen message, the
// keywords in use, and \Recent (claimed, or as EXAMINE sees it).
#define POSTIMAP_OPEN_MAILBOX_TAIL                                                            \
    " (select min(mm.uid) from mailbox_messages mm"                                           \
    "   where mm.user_id = m.user_id and mm.mailbox_id = m.id and not mm.seen),"              \
    " coalesce((select array_agg(distinct k) from mailbox_messages mm, unnest(mm.keywords) k" \
    "           where mm.user_id = m.user_id and mm.mailbox_id = m.id"                        \
    "             and mm.keywords <> '{}'), '{}'),"                                           \
    " m.recent_uid, (select recent_uid from claim), (select uidnext from claim)"              \
    " from mailboxes m where m.user_id = $1 and m.name = $2"

// One statement, so the counters and the UID list come from one snapshot.
const pg::Statement kOpenMailbox{
    "open_mailbox",
    POSTIMAP_CLAIM_RECENT_CTE("$3::boolean")
    "select m.id, m.uidvalidity, m.uidnext, m.highestmodseq,"
    " coalesce((select array_agg(mm.uid order by mm.uid) from mailbox_messages mm"
    "           where mm.user_id = m.user_id and mm.mailbox_id = m.id), '{}'),"
    " '{}'::bigint[]," POSTIMAP_OPEN_MAILBOX_TAIL};

// SELECT with the UID list cached at MODSEQ $3 (last UID $4): what changed
// since, in the same snapshot as the rest. The upper bounds change no
// answer; they are for the planner: with `uid > $4` alone its generic plan
// expects a third of the mailbox, costs that far above a custom plan, and
// then plans every execution anew (0.3 ms, more than the rest of the
// statement at 100 000 messages).
const pg::Statement kOpenMailboxDelta{
    "open_mailbox_delta",
    POSTIMAP_CLAIM_RECENT_CTE("$5::boolean")
    "select m.id, m.uidvalidity, m.uidnext, m.highestmodseq,"
    " coalesce((select array_agg(mm.uid order by mm.uid) from mailbox_messages mm"
    "           where mm.user_id = m.user_id and mm.mailbox_id = m.id and mm.uid > $4"
    "             and mm.uid < m.uidnext), '{}'),"
    " coalesce((select array_agg(e.uid order by e.uid) from expunged_messages e"
    "           where e.user_id = m.user_id and e.mailbox_id = m.id and e.modseq > $3"
    "             and e.modseq <= m.highestmodseq), '{}'),"
    POSTIMAP_OPEN_MAILBOX_TAIL};

#undef POSTIMAP_CLAIM_RECENT_CTE
#undef POSTIMAP_OPEN_MAILBOX_TAIL

// The counts kept by triggers (migration 0011); only \Recent is counted,
// on the primary key from recent_uid on (usually few). Counting everything
// took 7 ms at 100 000 messages.
const pg::Statement kStatus{
    "mailbox_status",
    "select m.message_count,"
    " (select count(*) from mailbox_messages mm"
    "   where mm.user_id = m.user_id and mm.mailbox_id = m.id and mm.uid >= m.recent_uid),"
    " m.unseen_count, m.uidnext, m.uidvalidity, m.highestmodseq"
    " from mailboxes m where m.user_id = $1 and m.name = $2"};

const pg::Statement kCreateMailbox{"create_mailbox",
                                   "insert into mailboxes (user_id, name) values ($1, $2)"};

const pg::Statement kDeleteMailbox{"delete_mailbox",
                                   "delete from mailboxes where user_id = $1 and name = $2"};

// The mailbox and everything below it ('/' is the hierarchy delimiter).
const pg::Statement kRenameMailboxes{
    "rename_mailboxes",
    "update mailboxes set name = $3 || substr(name, length($2) + 1)"
    " where user_id = $1 and (name = $2 or left(name, length($2) + 1) = $2 || '/')"};

const pg::Statement kLockInbox{
    "lock_inbox", "select id from mailboxes where user_id = $1 and name = 'INBOX' for update"};
const pg::Statement kCreateReturning{
    "create_mailbox_returning",
    "insert into mailboxes (user_id, name) values ($1, $2) returning id"};
// INBOX's messages move to the new mailbox with UIDs 1..n in their order;
// INBOX keeps its counters, so its UIDs are never reused.
const pg::Statement kMoveInboxMessages{
    "move_inbox_messages",
    "with moved as (delete from mailbox_messages where user_id = $1 and mailbox_id = $2"
    "               returning *),"
    " numbered as (select *, row_number() over (order by uid) as n from moved),"
    " ins as (insert into mailbox_messages (user_id, mailbox_id, uid, tenant_id, message_id,"
    "           modseq, seen, answered, flagged, deleted, draft, keywords, internal_date)"
    "         select user_id, $3, n, tenant_id, message_id, 1, seen, answered, flagged, deleted,"
    "           draft, keywords, internal_date from numbered returning uid),"
    " tomb as (insert into expunged_messages (user_id, mailbox_id, uid, modseq)"
    "          select $1, $2, uid, (select highestmodseq + 1 from mailboxes"
    "                               where user_id = $1 and id = $2) from moved)"
    " select count(*) from ins"};
const pg::Statement kAfterInboxMove{"after_inbox_move",
                                    "update mailboxes set"
                                    " uidnext = case when id = $3 then $4 + 1 else uidnext end,"
                                    " highestmodseq = highestmodseq + 1"
                                    " where user_id = $1 and id in ($2, $3)"};

const pg::Statement kSubscriptions{
    "subscriptions", "select name from subscriptions where user_id = $1 order by name"};
const pg::Statement kSubscribe{
    "subscribe",
    "insert into subscriptions (user_id, name) values ($1, $2) on conflict do nothing"};
const pg::Statement kUnsubscribe{"unsubscribe",
                                 "delete from subscriptions where user_id = $1 and name = $2"};

Uid as_uid(std::int64_t v) {
    return Uid{static_cast<std::uint32_t>(v)};
}

// The claim an open statement made (its last two columns), if it made one.
std::optional<RecentClaim> claim_in(const pg::Result& r) {
    if (r.empty() || r[0].is_null(9))
        return std::nullopt;
    return RecentClaim{as_uid(r[0].int64(9)), as_uid(r[0].int64(10))};
}

}  // namespace

asio::awaitable<std::vector<MailboxInfo>> MailStore::list_mailboxes(UserId user) {
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec(kListMailboxes, pg::Params(user.value));
    std::vector<MailboxInfo> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
        auto row = r[i];
        out.push_back({MailboxId{row.int64(0)}, row.str(1), row.boolean(2), row.opt_str(3)});
    }
    co_return out;
}

asio::awaitable<std::optional<MailboxSnapshot>> MailStore::open_mailbox(UserId user,
                                                                        std::string_view name,
                                                                        bool claim_recent) {
    auto conn = co_await acquire_for(user);
    // A large mailbox opened lately on this worker: read what changed since.
    std::optional<UidListCache::Snapshot> base;
    if (const auto* cached = uid_cache_.find(user, name))
        base = *cached;
    pg::Result r;
    bool delta = false;
    if (base) {
        const std::int64_t last = base->uids->empty() ? 0 : base->uids->back().value;
        r = co_await conn->exec(
            kOpenMailboxDelta,
            pg::Params(user.value, name, static_cast<std::int64_t>(base->modseq.value), last,
                       claim_recent));
        delta = !r.empty() && r[0].int64(0) == base->id.value &&
                static_cast<std::uint32_t>(r[0].int64(1)) == base->uidvalidity;
    }
    // The claim, whichever statement made it (a rejected delta's claim
    // stands; the full read then claims nothing more).
    std::optional<RecentClaim> claimed = claim_in(r);
    if (!delta) {
        r = co_await conn->exec(kOpenMailbox, pg::Params(user.value, name, claim_recent && !base));
        if (!claimed)
            claimed = claim_in(r);
    }
    if (r.empty()) {
        uid_cache_.erase(user, name);
        co_return std::nullopt;
    }
    auto row = r[0];
    MailboxSnapshot s;
    s.id = MailboxId{row.int64(0)};
    s.name = std::string(name);
    s.uidvalidity = static_cast<std::uint32_t>(row.int64(1));
    s.uidnext = as_uid(row.int64(2));
    s.highestmodseq = ModSeq{static_cast<std::uint64_t>(row.int64(3))};
    std::vector<Uid> listed;
    for (auto u : row.int64_array(4))
        listed.push_back(as_uid(u));
    std::vector<Uid> expunged;
    if (delta)
        for (auto u : row.int64_array(5))
            expunged.push_back(as_uid(u));
    std::shared_ptr<const std::vector<Uid>> shared;
    if (delta && listed.empty() && expunged.empty())
        shared = base->uids;  // unchanged (flags may have): no copy
    else if (delta)
        shared = std::make_shared<const std::vector<Uid>>(
            apply_uid_delta(*base->uids, expunged, listed));
    else
        shared = std::make_shared<const std::vector<Uid>>(std::move(listed));
    uid_cache_.put(user, name, {s.id, s.uidvalidity, s.highestmodseq, shared});
    s.uids = SharedUids(shared);
    if (auto unseen = row.opt_int64(6))
        s.first_unseen = as_uid(*unseen);
    s.keywords = row.text_array(7);
    if (claimed)
        s.recent = *claimed;
    else if (!claim_recent)  // EXAMINE: recent as the mailbox stands, claiming nothing
        s.recent = RecentClaim{as_uid(row.int64(8)), s.uidnext};
    // else nothing to claim: no message is \Recent to this session, not even
    // one that arrives after this read; a later claim will get it.
    co_return s;
}

asio::awaitable<std::optional<MailboxStatus>> MailStore::mailbox_status(UserId user,
                                                                        std::string_view name) {
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec(kStatus, pg::Params(user.value, name));
    if (r.empty())
        co_return std::nullopt;
    auto row = r[0];
    co_return MailboxStatus{row.int64(0),
                            row.int64(1),
                            row.int64(2),
                            as_uid(row.int64(3)),
                            static_cast<std::uint32_t>(row.int64(4)),
                            ModSeq{static_cast<std::uint64_t>(row.int64(5))}};
}

asio::awaitable<void> MailStore::create_mailbox(UserId user, std::string_view name) {
    auto conn = co_await acquire_for(user);
    try {
        co_await conn->exec(kCreateMailbox, pg::Params(user.value, name));
    } catch (const pg::Error& e) {
        if (e.is_unique_violation())
            throw Error(ErrorKind::already_exists, "mailbox already exists");
        throw;
    }
}

asio::awaitable<void> MailStore::delete_mailbox(UserId user, std::string_view name) {
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec(kDeleteMailbox, pg::Params(user.value, name));
    if (r.affected() == 0)
        throw Error(ErrorKind::not_found, "no such mailbox");
}

asio::awaitable<void> MailStore::rename_mailbox(UserId user, std::string_view from,
                                                std::string_view to) {
    auto conn = co_await acquire_for(user);
    pg::Result r;
    try {
        r = co_await conn->exec(kRenameMailboxes, pg::Params(user.value, from, to));
    } catch (const pg::Error& e) {
        if (e.is_unique_violation())
            throw Error(ErrorKind::already_exists, "mailbox already exists");
        throw;
    }
    if (r.affected() == 0)
        throw Error(ErrorKind::not_found, "no such mailbox");
}

asio::awaitable<void> MailStore::rename_inbox(UserId user, std::string_view to) {
    auto lease = co_await acquire_for(user);
    auto tx = co_await pg::Transaction::begin(std::move(lease));
    auto inbox = co_await tx.exec(kLockInbox, pg::Params(user.value));
    if (inbox.empty())
        throw Error(ErrorKind::not_found, "no INBOX");
    const std::int64_t inbox_id = inbox[0].int64(0);
    pg::Result created;
    try {
        created = co_await tx.exec(kCreateReturning, pg::Params(user.value, to));
    } catch (const pg::Error& e) {
        if (e.is_unique_violation())
            throw Error(ErrorKind::already_exists, "mailbox already exists");
        throw;
    }
    const std::int64_t new_id = created[0].int64(0);
    auto moved = co_await tx.exec(kMoveInboxMessages, pg::Params(user.value, inbox_id, new_id));
    co_await tx.exec(kAfterInboxMove, pg::Params(user.value, inbox_id, new_id, moved[0].int64(0)));
    co_await tx.commit();
}

asio::awaitable<std::vector<std::string>> MailStore::subscriptions(UserId user) {
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec(kSubscriptions, pg::Params(user.value));
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(r[i].str(0));
    co_return out;
}

asio::awaitable<void> MailStore::subscribe(UserId user, std::string_view name) {
    auto conn = co_await acquire_for(user);
    co_await conn->exec(kSubscribe, pg::Params(user.value, name));
}

asio::awaitable<void> MailStore::unsubscribe(UserId user, std::string_view name) {
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec(kUnsubscribe, pg::Params(user.value, name));
    if (r.affected() == 0)
        throw Error(ErrorKind::not_found, "not subscribed");
}

}  // namespace postimap::storage
