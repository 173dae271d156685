#include "storage/pg/connection.hpp"

#include <poll.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log/log.hpp"
#include "storage/pg/error.hpp"

namespace postimap::pg {
namespace {

std::string trimmed_error(PGconn* conn) {
    std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
        msg.pop_back();
    return msg;
}

// Whether the socket has something to read now. Asio's epoll reactor is
// edge-triggered and async_wait does not look before it waits, so data that
// arrived while nobody waited would otherwise never wake us.
bool readable_now(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

}  // namespace

Connection::Connection(asio::any_io_executor ex, PGconn* conn) : conn_(conn), socket_(ex) {
    PQsetNoticeReceiver(conn_, &Connection::on_notice, this);
}

// Notices go to our log rather than stderr. A FATAL one arrives when the
// server ends an idle connection (shutdown, pg_terminate_backend); libpq
// reports it as a notice, and EOF may not have arrived yet, so remember it.
void Connection::on_notice(void* self, const PGresult* notice) {
    const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char* message = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
    std::string_view level = severity ? severity : "";
    if (level == "FATAL" || level == "PANIC")
        static_cast<Connection*>(self)->broken_ = true;
    log::debug("db_notice", "severity=", level, " message=\"", message ? message : "", "\"");
}

Connection::~Connection() {
    // libpq owns the descriptor: take it back from Asio before PQfinish closes it.
    if (socket_.is_open())
        socket_.release();
    PQfinish(conn_);
}

bool Connection::broken() const {
    return broken_ || PQstatus(conn_) != CONNECTION_OK;
}

bool Connection::still_usable_after_idle() {
    if (broken())
        return false;
    if (readable_now(socket_.native_handle()) && !PQconsumeInput(conn_))
        broken_ = true;
    // Notices and notifications are harmless; discard queued notifications.
    while (PGnotify* n = PQnotifies(conn_))
        PQfreemem(n);
    return !broken();
}

void Connection::watch_socket() {
    int fd = PQsocket(conn_);
    if (socket_.is_open() && socket_.native_handle() == fd)
        return;
    if (socket_.is_open())
        socket_.release();
    if (fd >= 0)
        socket_.assign(fd);
}

void Connection::fail(const std::string& what) {
    broken_ = true;
    throw ConnectionError(what + ": " + trimmed_error(conn_));
}

asio::awaitable<void> Connection::wait_readable() {
    if (readable_now(socket_.native_handle()))
        co_return;
    co_await socket_.async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable);
}

asio::awaitable<void> Connection::wait_writable() {
    co_await socket_.async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable);
}

asio::awaitable<std::unique_ptr<Connection>> Connection::connect(
    asio::any_io_executor ex, const std::string& dsn, std::chrono::milliseconds timeout) {
    PGconn* raw = PQconnectStart(dsn.c_str());
    if (!raw)
        throw ConnectionError("cannot connect to PostgreSQL: out of memory");
    std::unique_ptr<Connection> conn(new Connection(ex, raw));
    if (PQstatus(raw) == CONNECTION_BAD)
        conn->fail("cannot connect to PostgreSQL");

    // A watchdog closes the wait if the server does not answer in time.
    asio::steady_timer deadline(ex);
    bool timed_out = false;
    deadline.expires_after(timeout);
    deadline.async_wait([&](const boost::system::error_code& ec) {
        if (ec)
            return;
        timed_out = true;
        boost::system::error_code ignored;
        conn->socket_.cancel(ignored);
    });

    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
        if (status == PGRES_POLLING_FAILED)
            conn->fail("cannot connect to PostgreSQL");
        // The socket can change while connecting (another host of a multi-host DSN).
        conn->watch_socket();
        try {
            if (status == PGRES_POLLING_READING)
                co_await conn->wait_readable();
            else
                co_await conn->wait_writable();
        } catch (const boost::system::system_error&) {
            if (timed_out) {
                conn->broken_ = true;
                throw ConnectionError("cannot connect to PostgreSQL: timed out");
            }
            throw;
        }
        status = PQconnectPoll(raw);
    }
    deadline.cancel();
    conn->watch_socket();
    if (PQsetnonblocking(raw, 1) != 0)
        conn->fail("cannot make the connection non-blocking");
    co_return conn;
}

asio::awaitable<void> Connection::flush() {
    for (;;) {
        int r = PQflush(conn_);
        if (r == 0)
            co_return;
        if (r < 0)
            fail("lost the connection to PostgreSQL");
        co_await wait_writable();
    }
}

asio::awaitable<Result> Connection::collect() {
    Result last;
    std::optional<Error> first_error;
    for (;;) {
        while (PQisBusy(conn_)) {
            co_await wait_readable();
            if (!PQconsumeInput(conn_))
                fail("lost the connection to PostgreSQL");
        }
        PGresult* r = PQgetResult(conn_);
        if (!r)
            break;
        ResultPtr owned(r);
        switch (PQresultStatus(r)) {
            case PGRES_FATAL_ERROR:
            case PGRES_BAD_RESPONSE: {
                if (PQstatus(conn_) != CONNECTION_OK)
                    fail("lost the connection to PostgreSQL");
                const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                const char* msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
                if (!first_error)
                    first_error.emplace(state ? state : "XX000", msg ? msg : trimmed_error(conn_));
                break;
            }
            default:
                last = Result(std::move(owned));
                break;
        }
    }
    if (PQstatus(conn_) != CONNECTION_OK)
        fail("lost the connection to PostgreSQL");
    if (first_error)
        throw *first_error;
    co_return last;
}

asio::awaitable<void> Connection::prepare(const Statement& stmt) {
    if (prepared_.contains(stmt.name))
        co_return;
    if (!PQsendPrepare(conn_, stmt.name, stmt.sql, 0, nullptr))
        fail("cannot send to PostgreSQL");
    co_await flush();
    co_await collect();
    prepared_.insert(stmt.name);
}

asio::awaitable<Result> Connection::exec(const Statement& stmt, const Params& params) {
    if (broken())
        throw ConnectionError("the connection to PostgreSQL is broken");
    co_await prepare(stmt);
    auto values = params.value_pointers();
    auto lengths = params.lengths();
    auto formats = params.formats();
    if (!PQsendQueryPrepared(conn_, stmt.name, params.size(), values.data(), lengths.data(),
                             formats.data(), static_cast<int>(stmt.result_format)))
        fail("cannot send to PostgreSQL");
    co_await flush();
    co_return co_await collect();
}

asio::awaitable<Result> Connection::exec_dynamic(const std::string& sql, const Params& params,
                                                 Format result_format) {
    if (broken())
        throw ConnectionError("the connection to PostgreSQL is broken");
    auto values = params.value_pointers();
    auto lengths = params.lengths();
    auto formats = params.formats();
    if (!PQsendQueryParams(conn_, sql.c_str(), params.size(), nullptr, values.data(),
                           lengths.data(), formats.data(), static_cast<int>(result_format)))
        fail("cannot send to PostgreSQL");
    co_await flush();
    co_return co_await collect();
}

asio::awaitable<Result> Connection::exec_script(std::string_view sql) {
    if (broken())
        throw ConnectionError("the connection to PostgreSQL is broken");
    std::string text(sql);
    if (!PQsendQuery(conn_, text.c_str()))
        fail("cannot send to PostgreSQL");
    co_await flush();
    co_return co_await collect();
}

}  // namespace postimap::pg

namespace postimap::pg {
namespace {

const Statement kSetConfig{"pg_set_config", "select set_config($1, $2, false)"};

}  // namespace

asio::awaitable<void> Connection::ensure_setting(const std::string& name,
                                                 const std::string& value) {
    auto it = settings_.find(name);
    if (it != settings_.end() && it->second == value)
        co_return;
    co_await exec(kSetConfig, Params(name, value));
    settings_[name] = value;
}

asio::awaitable<void> Connection::set_role(const std::string& role) {
    char* quoted = PQescapeIdentifier(conn_, role.data(), role.size());
    if (!quoted)
        fail("cannot quote role name");
    std::string sql = std::string("set role ") + quoted;
    PQfreemem(quoted);
    co_await exec_script(sql);
}

}  // namespace postimap::pg

namespace postimap::pg {

void Connection::cancel() {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
}

asio::awaitable<std::vector<Notification>> Connection::wait_notifications() {
    std::vector<Notification> out;
    for (;;) {
        while (PGnotify* n = PQnotifies(conn_)) {
            out.push_back({n->relname, n->extra ? n->extra : ""});
            PQfreemem(n);
        }
        if (!out.empty())
            co_return out;
        co_await wait_readable();
        if (!PQconsumeInput(conn_))
            fail("lost the LISTEN connection to PostgreSQL");
    }
}

}  // namespace postimap::pg
