#include "storage/error.hpp"
#include "storage/mail_store.hpp"
#include "storage/pg/error.hpp"

namespace postimap::storage {
namespace {

const pg::Statement kListMailboxes{
    "list_mailboxes",
    "select id, name, subscribed, special_use from mailboxes where user_id = $1 order by name"};

// One statement, so the counters and the UID list come from one snapshot.
const pg::Statement kOpenMailbox{
    "open_mailbox",
    "select m.id, m.uidvalidity, m.uidnext, m.highestmodseq,"
    " coalesce((select array_agg(mm.uid order by mm.uid) from mailbox_messages mm"
    "           where mm.user_id = m.user_id and mm.mailbox_id = m.id), '{}'),"
    " (select min(mm.uid) from mailbox_messages mm"
    "   where mm.user_id = m.user_id and mm.mailbox_id = m.id and not mm.seen),"
    " coalesce((select array_agg(distinct k) from mailbox_messages mm, unnest(mm.keywords) k"
    "           where mm.user_id = m.user_id and mm.mailbox_id = m.id), '{}')"
    " from mailboxes m where m.user_id = $1 and m.name = $2"};

const pg::Statement kCreateMailbox{"create_mailbox",
                                   "insert into mailboxes (user_id, name) values ($1, $2)"};

}  // namespace

asio::awaitable<std::vector<MailboxInfo>> MailStore::list_mailboxes(UserId user) {
    auto conn = co_await pool_.acquire();
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
                                                                        std::string_view name) {
    auto conn = co_await pool_.acquire();
    auto r = co_await conn->exec(kOpenMailbox, pg::Params(user.value, name));
    if (r.empty())
        co_return std::nullopt;
    auto row = r[0];
    MailboxSnapshot s;
    s.id = MailboxId{row.int64(0)};
    s.name = std::string(name);
    s.uidvalidity = static_cast<std::uint32_t>(row.int64(1));
    s.uidnext = Uid{static_cast<std::uint32_t>(row.int64(2))};
    s.highestmodseq = ModSeq{static_cast<std::uint64_t>(row.int64(3))};
    for (const auto& u : row.text_array(4))
        s.uids.push_back(Uid{static_cast<std::uint32_t>(std::stoul(u))});
    if (auto unseen = row.opt_int64(5))
        s.first_unseen = Uid{static_cast<std::uint32_t>(*unseen)};
    s.keywords = row.text_array(6);
    co_return s;
}

asio::awaitable<void> MailStore::create_mailbox(UserId user, std::string_view name) {
    auto conn = co_await pool_.acquire();
    try {
        co_await conn->exec(kCreateMailbox, pg::Params(user.value, name));
    } catch (const pg::Error& e) {
        if (e.is_unique_violation())
            throw Error(ErrorKind::already_exists, "mailbox already exists");
        throw;
    }
}

}  // namespace postimap::storage
