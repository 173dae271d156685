#include "storage/provisioning.hpp"

namespace postimap::storage {
namespace {

const pg::Statement kEnsureTenant{
    "ensure_tenant",
    "select create_tenant($1) where not exists (select 1 from tenants where name = $1)"};
const pg::Statement kEnsureUser{
    "ensure_user",
    "select create_user($1, $2) where not exists ("
    " select 1 from users where local_part || '@' || domain = lower($1))"};

const pg::Statement kCreateTenant{"admin_create_tenant", "select create_tenant($1)"};
const pg::Statement kCreateUser{"admin_create_user", "select create_user($1, $2)"};
const pg::Statement kSetPassword{"admin_set_password", "select set_password($1, $2)"};
const pg::Statement kEnableUser{"admin_enable_user", "select enable_user($1)"};
const pg::Statement kDisableUser{"admin_disable_user", "select disable_user($1)"};
const pg::Statement kDeleteUser{"admin_delete_user", "select delete_user($1)"};
const pg::Statement kSetQuota{"admin_set_quota", "select set_quota($1, $2::bigint)"};

// Takes the arguments by value: the callers return this coroutine unstarted,
// so it must own them.
boost::asio::awaitable<void> call(pg::Pool& pool, const pg::Statement& fn, pg::Params args) {
    auto conn = co_await pool.acquire();
    co_await conn->exec(fn, args);
}

}  // namespace

boost::asio::awaitable<void> create_tenant(pg::Pool& pool, const std::string& name) {
    return call(pool, kCreateTenant, pg::Params(name));
}

boost::asio::awaitable<void> create_user(pg::Pool& pool, const std::string& address,
                                         const std::string& password) {
    return call(pool, kCreateUser, pg::Params(address, password));
}

boost::asio::awaitable<void> set_password(pg::Pool& pool, const std::string& address,
                                          const std::string& password) {
    return call(pool, kSetPassword, pg::Params(address, password));
}

boost::asio::awaitable<void> set_user_enabled(pg::Pool& pool, const std::string& address,
                                              bool enabled) {
    return call(pool, enabled ? kEnableUser : kDisableUser, pg::Params(address));
}

boost::asio::awaitable<void> delete_user(pg::Pool& pool, const std::string& address) {
    return call(pool, kDeleteUser, pg::Params(address));
}

boost::asio::awaitable<void> set_quota(pg::Pool& pool, const std::string& address,
                                       std::optional<std::int64_t> bytes) {
    return call(pool, kSetQuota, pg::Params(address, bytes));
}

boost::asio::awaitable<void> ensure_tenant(pg::Pool& pool, const std::string& name) {
    auto conn = co_await pool.acquire();
    co_await conn->exec(kEnsureTenant, pg::Params(name));
}

boost::asio::awaitable<bool> ensure_user(pg::Pool& pool, const std::string& address,
                                         const std::string& password) {
    auto conn = co_await pool.acquire();
    auto r = co_await conn->exec(kEnsureUser, pg::Params(address, password));
    co_return r.rows() == 1;
}

}  // namespace postimap::storage
