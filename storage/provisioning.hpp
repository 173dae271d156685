// Calls the provisioning functions of schema/provisioning.sql, for tools and
// for the embedded default's demo account.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "storage/pg/pool.hpp"

namespace postimap::storage {

// Creates the tenant (and its same-named domain) unless it exists.
boost::asio::awaitable<void> ensure_tenant(pg::Pool& pool, const std::string& name);
// Creates the user with this password unless the address exists already.
// Returns true if it was created.
boost::asio::awaitable<bool> ensure_user(pg::Pool& pool, const std::string& address,
                                         const std::string& password);

}  // namespace postimap::storage
