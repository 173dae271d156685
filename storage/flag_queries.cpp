// STORE and EXPUNGE: each one statement, so each is atomic and bumps the
// mailbox's MODSEQ once, only when something really changed. Every
// sub-statement takes the new MODSEQ from `lock`: a CTE runs once, and
// `bump` must not update the row before `lock` has read (and locked) it, or
// FOR UPDATE would skip the row this statement already changed.
#include "storage/keyword_list.hpp"
#include "storage/mail_store.hpp"
#include "storage/uid_ranges.hpp"

namespace postimap::storage {
namespace {

// $5: 0 add, 1 remove, 2 replace. $6..$10: the system flags named by the
// command; $11: its keywords. The new values are computed from the row being
// updated (flag_after, keywords_after in schema/mailbox_messages.sql), so a
// concurrent STORE's change is kept. Keywords are kept sorted and distinct,
// so arrays compare by value.
const pg::Statement kChangeFlags{
    "change_flags",
    "with lock as (select highestmodseq from mailboxes where user_id = $1 and id = $2"
    "              for update),"
    " upd as ("
    "  update mailbox_messages mm set"
    "   seen = flag_after(mm.seen, $5::int, $6), answered = flag_after(mm.answered, $5::int, $7),"
    "   flagged = flag_after(mm.flagged, $5::int, $8), deleted = flag_after(mm.deleted, $5::int, "
    "$9),"
    "   draft = flag_after(mm.draft, $5::int, $10),"
    "   keywords = keywords_after(mm.keywords, $5::int, $11::text[]),"
    "   modseq = (select highestmodseq + 1 from lock)"
    // One primary-key range scan per range (LATERAL ... OFFSET 0), not a
    // scan of the whole mailbox against the ranges.
    "  from (select t.uid from " POSTIMAP_UID_RANGE_ROWS
    "        cross join lateral (select uid from mailbox_messages"
    "          where user_id = $1 and mailbox_id = $2 and uid between r.lo and r.hi"
    "          offset 0) t) sel"
    "  where mm.user_id = $1 and mm.mailbox_id = $2 and mm.uid = sel.uid"
    // Takes the mailbox lock before any message row's (a one-time filter
    // runs first): every writer locks in the order mailbox, then messages.
    // Without it the CTE ran when the first row was updated, and a STORE
    // and an EXPUNGE could deadlock.
    "   and exists (select 1 from lock)"
    "   and ($12::bigint is null or mm.modseq <= $12)"
    "   and (mm.seen, mm.answered, mm.flagged, mm.deleted, mm.draft, mm.keywords)"
    "       is distinct from (flag_after(mm.seen, $5::int, $6),"
    "         flag_after(mm.answered, $5::int, $7), flag_after(mm.flagged, $5::int, $8),"
    "         flag_after(mm.deleted, $5::int, $9), flag_after(mm.draft, $5::int, $10),"
    "         keywords_after(mm.keywords, $5::int, $11::text[]))"
    "  returning mm.uid, mm.seen, mm.answered, mm.flagged, mm.deleted, mm.draft,"
    "   array_to_string(mm.keywords, ' '), mm.modseq),"
    " bump as (update mailboxes set highestmodseq = (select highestmodseq + 1 from lock)"
    "          where user_id = $1 and id = $2 and exists (select 1 from upd))"
    " select * from upd order by uid"};

const pg::Statement kExpunge{
    "expunge",
    "with lock as (select highestmodseq from mailboxes where user_id = $1 and id = $2"
    "              for update),"
    " del as (delete from mailbox_messages mm"
    "         where mm.user_id = $1 and mm.mailbox_id = $2 and mm.deleted"
    "           and exists (select 1 from lock)"  // mailbox first, as in change_flags
    "           and ($3::bigint[] is null or exists (select 1 from unnest($3::bigint[], "
    "$4::bigint[])"
    "                 as r(lo, hi) where mm.uid between r.lo and r.hi))"
    "         returning mm.uid),"
    " tomb as (insert into expunged_messages (user_id, mailbox_id, uid, modseq)"
    "          select $1, $2, uid, (select highestmodseq + 1 from lock) from del),"
    " bump as (update mailboxes set highestmodseq = (select highestmodseq + 1 from lock)"
    "          where user_id = $1 and id = $2 and exists (select 1 from del))"
    " select uid from del order by uid"};

}  // namespace

asio::awaitable<std::vector<ChangedFlags>> MailStore::change_flags(
    UserId user, MailboxId mailbox, const std::vector<UidRange>& ranges, FlagChange how,
    const Flags& flags, std::optional<std::uint64_t> unchanged_since) {
    auto [lows, highs] = split_ranges(ranges);
    const auto& f = flags.system;
    pg::Params params(user.value, mailbox.value, lows, highs, static_cast<std::int32_t>(how),
                      f.seen, f.answered, f.flagged, f.deleted, f.draft, flags.keywords);
    if (unchanged_since)
        params.add(static_cast<std::int64_t>(*unchanged_since));
    else
        params.add(std::nullopt);
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec(kChangeFlags, params);
    std::vector<ChangedFlags> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
        auto row = r[i];
        ChangedFlags c;
        c.uid = Uid{static_cast<std::uint32_t>(row.int64(0))};
        c.flags.system = {row.boolean(1), row.boolean(2), row.boolean(3), row.boolean(4),
                          row.boolean(5)};
        c.flags.keywords = split_keywords(row.text(6));
        c.modseq = ModSeq{static_cast<std::uint64_t>(row.int64(7))};
        out.push_back(std::move(c));
    }
    co_return out;
}

asio::awaitable<std::vector<Uid>> MailStore::expunge(
    UserId user, MailboxId mailbox, const std::optional<std::vector<UidRange>>& ranges) {
    pg::Params params(user.value, mailbox.value);
    if (ranges) {
        auto [lows, highs] = split_ranges(*ranges);
        params.add(lows);
        params.add(highs);
    } else {
        params.add(std::nullopt);
        params.add(std::nullopt);
    }
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec(kExpunge, params);
    std::vector<Uid> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(Uid{static_cast<std::uint32_t>(r[i].int64(0))});
    co_return out;
}

}  // namespace postimap::storage
