#include <algorithm>
#include <cctype>

#include "storage/mail_store.hpp"

namespace postimap::storage {
namespace {

// Through a SECURITY DEFINER function: the worker's role cannot read other
// users' rows, and no user is known yet.
const pg::Statement kFindLogin{"find_login",
                               "select id, tenant_id, password_secret, disabled,"
                               " scram_sha1_secret from login_lookup($1, $2)"};

const pg::Statement kFindRecipient{
    "find_recipient",
    "select id, tenant_id, disabled, quota_bytes, used_bytes from delivery_lookup($1, $2)"};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// local@domain as the lookup functions take it (lower case); nothing for
// an address without both parts.
std::optional<pg::Params> address_params(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
        return std::nullopt;
    return pg::Params(lower(address.substr(0, at)), lower(address.substr(at + 1)));
}

}  // namespace

asio::awaitable<std::optional<LoginRecord>> MailStore::find_login(std::string_view address) {
    auto params = address_params(address);
    if (!params)
        co_return std::nullopt;
    auto conn = co_await pool_.acquire();
    auto r = co_await conn->exec(kFindLogin, *params);
    if (r.empty())
        co_return std::nullopt;
    auto row = r[0];
    co_return LoginRecord{UserId{row.int64(0)}, TenantId{row.int64(1)}, row.str(2), row.boolean(3),
                          row.opt_str(4)};
}

asio::awaitable<std::optional<RecipientRecord>> MailStore::find_recipient(
    std::string_view address) {
    auto params = address_params(address);
    if (!params)
        co_return std::nullopt;
    auto conn = co_await pool_.acquire();
    auto r = co_await conn->exec(kFindRecipient, *params);
    if (r.empty())
        co_return std::nullopt;
    auto row = r[0];
    RecipientRecord record{UserId{row.int64(0)}, TenantId{row.int64(1)}, row.boolean(2)};
    if (!row.is_null(3))
        record.quota_bytes = row.int64(3);
    record.used_bytes = row.int64(4);
    co_return record;
}

asio::awaitable<pg::Lease> MailStore::acquire_for(UserId user) {
    auto conn = co_await pool_.acquire();
    co_await conn->ensure_setting("postimap.user_id", std::to_string(user.value));
    co_return conn;
}

}  // namespace postimap::storage
