// Getting to a database every verb can use: the embedded cluster or the
// DSN's, migrated when configured to, with the demo account for the
// embedded default.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>

#include "server/config.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/pg/pool.hpp"

namespace postimap {

struct Database {
    std::optional<storage::EmbeddedPostgres> embedded;
    std::string dsn;
};

// Starts the embedded cluster unless a DSN names the database.
void open_database(const Config& config, Database& db);
pg::PoolOptions pool_options(const Config& config, const std::string& dsn);
// Runs a coroutine to completion on `io`, rethrowing what it throws.
void run_to_completion(boost::asio::io_context& io, boost::asio::awaitable<void> work);
// Migrates when configured to (always for the embedded default, which also
// gets its demo account), so every verb finds the schema it expects.
void prepare_schema(const Config& config, const Database& db, boost::asio::io_context& io,
                    pg::Pool& pool);

}  // namespace postimap
