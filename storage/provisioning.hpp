// Calls the provisioning functions of schema/provisioning.sql, for tools and
// for the embedded default's demo account.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "storage/pg/pool.hpp"

namespace postimap::storage {

// Creates the tenant (and its same-named domain) unless it exists.
boost::asio::awaitable<void> ensure_tenant(pg::Pool& pool, const std::string& name);
// Creates the user with this password unless the address exists already.
// Returns true if it was created.
boost::asio::awaitable<bool> ensure_user(pg::Pool& pool, const std::string& address,
                                         const std::string& password);

// The operator's verbs, each one call of a function in
// schema/provisioning.sql; errors come back as pg::Error with the function's
// own message and SQLSTATE (P0002 unknown, 23505 duplicate, 22023 malformed).
boost::asio::awaitable<void> create_tenant(pg::Pool& pool, const std::string& name);
boost::asio::awaitable<void> create_user(pg::Pool& pool, const std::string& address,
                                         const std::string& password);
boost::asio::awaitable<void> set_password(pg::Pool& pool, const std::string& address,
                                          const std::string& password);
boost::asio::awaitable<void> set_user_enabled(pg::Pool& pool, const std::string& address,
                                              bool enabled);
boost::asio::awaitable<void> delete_user(pg::Pool& pool, const std::string& address);
// nullopt: no quota.
boost::asio::awaitable<void> set_quota(pg::Pool& pool, const std::string& address,
                                       std::optional<std::int64_t> bytes);

}  // namespace postimap::storage
