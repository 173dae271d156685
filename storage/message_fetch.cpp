#include "storage/keyword_list.hpp"
#include "storage/mail_store.hpp"
#include "storage/uid_ranges.hpp"

namespace postimap::storage {
namespace {

// Binary results: the message bytes arrive as they are, without hex.
const pg::Statement kFetch{
    "fetch_messages",
    "select mm.uid::int8, mm.seen, mm.answered, mm.flagged, mm.deleted, mm.draft,"
    " array_to_string(mm.keywords, ' '), extract(epoch from mm.internal_date)::int8,"
    " m.size::int8, case when $5 or ($6 and m.structure is null) then m.raw end,"
    " case when $6 then m.structure::text end"
    " from mailbox_messages mm"
    " join unnest($3::bigint[], $4::bigint[]) as r(lo, hi) on mm.uid between r.lo and r.hi"
    " join messages m on m.tenant_id = mm.tenant_id and m.id = mm.message_id"
    " where mm.user_id = $1 and mm.mailbox_id = $2"
    " order by mm.uid",
    pg::Format::binary};

}  // namespace

asio::awaitable<std::vector<MessageData>> MailStore::fetch(UserId user, MailboxId mailbox,
                                                           const std::vector<UidRange>& ranges,
                                                           FetchNeeds needs) {
    auto [lows, highs] = split_ranges(ranges);
    auto conn = co_await pool_.acquire();
    auto r = co_await conn->exec(
        kFetch, pg::Params(user.value, mailbox.value, lows, highs, needs.raw, needs.structure));
    std::vector<MessageData> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
        auto row = r[i];
        MessageData m;
        m.uid = Uid{static_cast<std::uint32_t>(row.int64(0))};
        m.flags.system = {row.boolean(1), row.boolean(2), row.boolean(3), row.boolean(4),
                          row.boolean(5)};
        m.flags.keywords = split_keywords(row.text(6));
        m.internal_date = row.int64(7);
        m.size = row.int64(8);
        if (!row.is_null(9))
            m.raw = row.bytea(9);
        m.structure = row.opt_str(10);
        out.push_back(std::move(m));
    }
    co_return out;
}

}  // namespace postimap::storage
