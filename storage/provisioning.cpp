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

}  // namespace

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
