// One PostgreSQL connection driven without blocking: libpq in non-blocking
// mode, its socket watched by Asio. A worker runs one io_context on one
// thread, so a Connection is used by one coroutine at a time (the Pool
// guarantees it).
#pragma once

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/pg/params.hpp"
#include "storage/pg/result.hpp"

namespace postimap::pg {

namespace asio = boost::asio;

enum class Format { text = 0, binary = 1 };

// A statement prepared once per connection, on first use, under its name.
struct Statement {
    const char* name;
    const char* sql;
    Format result_format = Format::text;
};

// A NOTIFY received on a LISTENing connection.
struct Notification {
    std::string channel;
    std::string payload;
};

class Connection {
  public:
    // Connects without blocking; throws ConnectionError on failure or when
    // `timeout` passes first.
    static asio::awaitable<std::unique_ptr<Connection>> connect(asio::any_io_executor ex,
                                                                const std::string& dsn,
                                                                std::chrono::milliseconds timeout);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs a prepared statement. Throws Error for an SQL error (the
    // connection stays usable) and ConnectionError when the connection broke.
    asio::awaitable<Result> exec(const Statement& stmt, const Params& params = {});
    // Runs SQL built at run time (a SEARCH, say), with parameters, unprepared:
    // caching one plan per distinct text would grow without bound.
    asio::awaitable<Result> exec_dynamic(const std::string& sql, const Params& params,
                                         Format result_format = Format::text);
    // Runs SQL text with the simple query protocol: several statements are
    // allowed (migrations); the last statement's result is returned.
    asio::awaitable<Result> exec_script(std::string_view sql);

    // Sets a session-level setting (set_config(name, value, false)) unless
    // this connection already has that value: a round trip only when the
    // value changes. Call it outside a transaction (a rollback would undo it).
    asio::awaitable<void> ensure_setting(const std::string& name, const std::string& value);
    // Acts as `role` from now on (SET ROLE), e.g. a role under row-level
    // security. Throws Error when the role is missing or not ours.
    asio::awaitable<void> set_role(const std::string& role);

    // For a connection that LISTENs (and runs nothing else meanwhile): waits
    // until at least one notification arrived and returns all that did.
    // Throws ConnectionError when the connection breaks.
    asio::awaitable<std::vector<Notification>> wait_notifications();
    // Makes a pending wait fail at once (shutdown).
    void cancel();

    // True once the connection failed; the pool then discards it.
    bool broken() const;
    // For a connection that sat idle: reads whatever the server sent meanwhile
    // (a shutdown notice, EOF) and reports whether it is still usable.
    bool still_usable_after_idle();
    PGTransactionStatusType transaction_status() const { return PQtransactionStatus(conn_); }
    PGconn* native() const { return conn_; }

  private:
    Connection(asio::any_io_executor ex, PGconn* conn);
    asio::awaitable<void> prepare(const Statement& stmt);
    asio::awaitable<void> flush();
    asio::awaitable<Result> collect();
    asio::awaitable<void> wait_readable();
    asio::awaitable<void> wait_writable();
    void watch_socket();
    static void on_notice(void* self, const PGresult* notice);
    [[noreturn]] void fail(const std::string& what);

    PGconn* conn_;
    asio::posix::stream_descriptor socket_;
    bool broken_ = false;
    std::unordered_set<std::string> prepared_;
    std::unordered_map<std::string, std::string> settings_;
};

}  // namespace postimap::pg
