// Numbered, forward-only schema steps (migrations/NNNN_name.sql), compiled
// into the binary. migrate() applies the missing ones in order, each in its
// own transaction, under an advisory lock so that workers starting together
// do not race; the applied versions are recorded in schema_migrations.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "storage/pg/pool.hpp"

namespace postimap::storage {

struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

const std::vector<Migration>& embedded_migrations();
int latest_migration_version();

// Applies what is missing; returns how many steps were applied.
boost::asio::awaitable<int> migrate(pg::Pool& pool);
// The highest applied version, or 0 for an empty database.
boost::asio::awaitable<int> applied_migration_version(pg::Pool& pool);

}  // namespace postimap::storage
