// COPY: the target mailbox is locked first, then the copies get its next
// UIDs in the order of the source UIDs (RFC 4315 COPYUID pairs them up).
#include "storage/error.hpp"
#include "storage/mail_store.hpp"
#include "storage/pg/transaction.hpp"
#include "storage/uid_ranges.hpp"

namespace postimap::storage {
namespace {

const pg::Statement kLockTarget{"copy_lock_target",
                                "select id, uidvalidity, uidnext, highestmodseq from mailboxes"
                                " where user_id = $1 and name = $2 for update"};

// $2: source mailbox; $3/$4: UID ranges; $5: target id; $6: its uidnext;
// $7: its new highestmodseq. The bytes are shared, not copied.
const pg::Statement kCopyRows{
    "copy_rows",
    "with src as (select mm.*, row_number() over (order by mm.uid) - 1 as n"
    "             from " POSTIMAP_UID_RANGE_ROWS
    "             cross join lateral (select * from mailbox_messages"
    "               where user_id = $1 and mailbox_id = $2 and uid between r.lo and r.hi"
    "               offset 0) mm),"
    " ins as (insert into mailbox_messages (user_id, mailbox_id, uid, tenant_id, message_id,"
    "           modseq, seen, answered, flagged, deleted, draft, keywords, internal_date)"
    "         select $1, $5, $6 + n, tenant_id, message_id, $7, seen, answered, flagged,"
    "           deleted, draft, keywords, internal_date from src)"
    " select uid, $6 + n from src order by uid"};

const pg::Statement kLockBoth{"move_lock_both",
                              "select id, highestmodseq from mailboxes"
                              " where user_id = $1 and (name = $2 or id = $3)"
                              " order by id for update"};

// MOVE's second half: $3 the moved UIDs, $4 the source's new highestmodseq.
const pg::Statement kRemoveMoved{
    "move_remove",
    "with del as (delete from mailbox_messages"
    "             where user_id = $1 and mailbox_id = $2 and uid = any($3::bigint[])"
    "             returning uid),"
    " tomb as (insert into expunged_messages (user_id, mailbox_id, uid, modseq)"
    "          select $1, $2, uid, $4 from del)"
    " update mailboxes set highestmodseq = greatest(highestmodseq, $4)"
    "  where user_id = $1 and id = $2 and exists (select 1 from del)"};

// After the copies are in (the insert trigger has counted them): a copy
// must not take the user over the quota. A move adds nothing in the end.
const pg::Statement kOverQuota{"copy_over_quota",
                               "select used_bytes > quota_bytes from users where id = $1"};

const pg::Statement kAdvanceTarget{
    "copy_advance_target",
    "update mailboxes set uidnext = $3, highestmodseq = $4 where user_id = $1 and id = $2"};

}  // namespace

asio::awaitable<CopyResult> MailStore::copy(UserId user, MailboxId from,
                                            const std::vector<UidRange>& ranges,
                                            std::string_view to) {
    co_return co_await copy_or_move(user, from, ranges, std::string(to), false);
}

asio::awaitable<CopyResult> MailStore::move(UserId user, MailboxId from,
                                            const std::vector<UidRange>& ranges,
                                            std::string_view to) {
    co_return co_await copy_or_move(user, from, ranges, std::string(to), true);
}

asio::awaitable<CopyResult> MailStore::copy_or_move(UserId user, MailboxId from,
                                                    std::vector<UidRange> ranges, std::string to,
                                                    bool move) {
    auto [lows, highs] = split_ranges(ranges);
    auto lease = co_await acquire_for(user);
    auto tx = co_await pg::Transaction::begin(std::move(lease));
    // A move locks both mailboxes, in id order, so that moves in opposite
    // directions cannot deadlock. (A copy only reads its source.)
    std::int64_t source_modseq = 0;
    if (move) {
        auto locked = co_await tx.exec(kLockBoth, pg::Params(user.value, to, from.value));
        for (int i = 0; i < locked.rows(); ++i)
            if (locked[i].int64(0) == from.value)
                source_modseq = locked[i].int64(1) + 1;
    }
    auto target = co_await tx.exec(kLockTarget, pg::Params(user.value, to));
    if (target.empty())
        throw Error(ErrorKind::not_found, "no such mailbox");
    const auto row = target[0];
    CopyResult result;
    result.mailbox = MailboxId{row.int64(0)};
    result.uidvalidity = static_cast<std::uint32_t>(row.int64(1));
    const std::int64_t uidnext = row.int64(2);
    const std::int64_t modseq = row.int64(3) + 1;
    auto copied = co_await tx.exec(kCopyRows, pg::Params(user.value, from.value, lows, highs,
                                                         result.mailbox.value, uidnext, modseq));
    if (uidnext + copied.rows() > 4294967296LL)
        throw Error(ErrorKind::invalid, "the target mailbox has run out of UIDs");
    for (int i = 0; i < copied.rows(); ++i)
        result.uids.emplace_back(Uid{static_cast<std::uint32_t>(copied[i].int64(0))},
                                 Uid{static_cast<std::uint32_t>(copied[i].int64(1))});
    if (!result.uids.empty() && !move) {
        auto over = co_await tx.exec(kOverQuota, pg::Params(user.value));
        if (!over.empty() && !over[0].is_null(0) && over[0].boolean(0))
            throw Error(ErrorKind::over_quota, "quota exceeded");
    }
    if (!result.uids.empty()) {
        co_await tx.exec(kAdvanceTarget, pg::Params(user.value, result.mailbox.value,
                                                    uidnext + copied.rows(), modseq));
        if (move) {
            // The originals go, with tombstones, as an EXPUNGE would (RFC 6851).
            if (from == result.mailbox)
                source_modseq = modseq;
            std::vector<std::int64_t> gone;
            for (auto [a, b] : result.uids)
                gone.push_back(a.value);
            co_await tx.exec(kRemoveMoved, pg::Params(user.value, from.value, gone, source_modseq));
        }
        co_await tx.commit();
    }
    co_return result;
}

}  // namespace postimap::storage
