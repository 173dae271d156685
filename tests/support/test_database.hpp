// Integration tests run against a real PostgreSQL: a private cluster in a
// temporary directory, started once per test program and removed after it
// (as the postgres user when the tests run as root). Each call of
// fresh_database() gives an empty, migrated database of its own.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <string>

#include "storage/embedded_postgres.hpp"

namespace postimap::test {

// The cluster of this test program, started on first use.
storage::EmbeddedPostgres& cluster();
// Creates a new database; migrated unless told otherwise. Returns its DSN.
std::string fresh_database(bool migrated = true);

// Runs a coroutine to completion on `io`, rethrowing what it throws.
template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
    std::exception_ptr failure;
    std::optional<T> result;
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
        failure = e;
        if (!e)
            result = std::move(value);
    });
    io.restart();
    io.run();
    if (failure)
        std::rethrow_exception(failure);
    return std::move(*result);
}

inline void run(boost::asio::io_context& io, boost::asio::awaitable<void> work) {
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) { failure = e; });
    io.restart();
    io.run();
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace postimap::test
