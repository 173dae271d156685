#include "storage/mail_store.hpp"
#include "storage/search_query.hpp"

namespace postimap::storage {

asio::awaitable<std::vector<Uid>> MailStore::search(UserId user, MailboxId mailbox,
                                                    const SearchNode& criteria) {
    pg::Params params(user.value, mailbox.value);
    std::string sql = "select mm.uid from mailbox_messages mm";
    if (search_needs_message_row(criteria))
        sql += " join messages m on m.tenant_id = mm.tenant_id and m.id = mm.message_id";
    sql += " where mm.user_id = $1 and mm.mailbox_id = $2 and ";
    sql += search_condition(criteria, params);
    sql += " order by mm.uid";
    auto conn = co_await acquire_for(user);
    auto r = co_await conn->exec_dynamic(sql, params);
    std::vector<Uid> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(Uid{static_cast<std::uint32_t>(r[i].int64(0))});
    co_return out;
}

}  // namespace postimap::storage
