#include "server/session/session.hpp"

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "log/log.hpp"
#include "server/session/error_mapping.hpp"

namespace postimap::session {
namespace {

unsigned state_bit(State s) {
    switch (s) {
        case State::not_authenticated:
            return StateMask::not_authenticated;
        case State::authenticated:
            return StateMask::authenticated;
        case State::selected:
            return StateMask::selected;
        case State::logout:
            return 0;
    }
    return 0;
}

const char* state_name(State s) {
    switch (s) {
        case State::not_authenticated:
            return "not authenticated";
        case State::authenticated:
            return "authenticated";
        case State::selected:
            return "selected";
        case State::logout:
            return "logout";
    }
    return "?";
}

const char* status_name(imap::Status s) {
    switch (s) {
        case imap::Status::ok:
            return "OK";
        case imap::Status::no:
            return "NO";
        case imap::Status::bad:
            return "BAD";
        default:
            return "other";
    }
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, ServerContext& server, const CommandTable& commands,
                 bool implicit_tls)
    : stream_(std::move(socket)),
      implicit_tls_(implicit_tls),
      server_(server),
      commands_(commands),
      framer_(server.limits.framer),
      timeout_(stream_.get_executor()),
      id_(server.next_session_id++) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
    if (!ec)
        peer_address_ = ep.address();
    server_.sessions.insert(this);
}

Session::~Session() {
    server_.sessions.erase(this);
}

void Session::close() {
    stream_.cancel();
    state_ = State::logout;
}

bool Session::secure() const {
    return stream_.is_tls() || net::in_any(server_.trusted_networks, peer_address_);
}

bool Session::can_start_tls() const {
    return server_.tls != nullptr && !stream_.is_tls();
}

// RFC 3501 6.2.1 and 7.2.1: STARTTLS only while it can be used; LOGINDISABLED
// where plain-text passwords are refused (RFC 2595 section 3.2). Once logged
// in, the pre-login items are left out (RFC 3501 6.1.1's CAPABILITY after
// LOGIN shows what the authenticated state offers).
std::string Session::capabilities() const {
    std::string caps = server_.capabilities;
    if (state_ != State::not_authenticated)
        return caps;
    if (can_start_tls())
        caps += " STARTTLS";
    if (!secure())
        caps += " LOGINDISABLED";
    if (server_.sasl) {
        for (const auto& m : server_.sasl->mechanisms(secure()))
            caps += " AUTH=" + m;
        caps += " SASL-IR";
    }
    return caps;
}

void Session::authenticate(AuthenticatedUser user) {
    user_ = std::move(user);
    state_ = State::authenticated;
}

void Session::select(SelectedMailbox mailbox) {
    selected_ = std::move(mailbox);
    state_ = State::selected;
}

void Session::unselect() {
    selected_.reset();
    if (state_ == State::selected)
        state_ = State::authenticated;
}

// Closes the connection when the client stays silent too long (RFC 3501
// 5.4: an autologout timer of at least 30 minutes once authenticated).
void Session::arm_timeout() {
    timeout_.expires_after(state_ == State::not_authenticated ? server_.limits.login_timeout
                                                              : server_.limits.idle_timeout);
    timeout_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self)
            return;
        self->timed_out_ = true;
        self->stream_.cancel();
    });
}

asio::awaitable<void> Session::flush() {
    if (out_.empty())
        co_return;
    co_await stream_.write_all(asio::buffer(out_));
    out_.clear();
}

asio::awaitable<std::string> Session::read_continuation_line() {
    co_await flush();
    std::array<char, 4096> buffer;
    for (;;) {
        bool too_long = false;
        if (auto line = framer_.take_line(too_long))
            co_return std::move(*line);
        if (too_long)
            throw imap::SyntaxError("Line exceeds the limit of " +
                                    std::to_string(server_.limits.framer.max_line) + " bytes");
        arm_timeout();
        std::size_t n = co_await stream_.read_some(asio::buffer(buffer));
        timeout_.cancel();
        framer_.feed(std::string_view(buffer.data(), n));
    }
}

std::string Session::local_ip_port() const {
    boost::system::error_code ec;
    auto ep = stream_.socket().local_endpoint(ec);
    return ec ? "" : ep.address().to_string() + ";" + std::to_string(ep.port());
}

std::string Session::remote_ip_port() const {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    return ec ? "" : ep.address().to_string() + ";" + std::to_string(ep.port());
}

asio::awaitable<void> Session::flush_if_large() {
    if (out_.size() >= server_.limits.output_flush_threshold)
        co_await flush();
}

asio::awaitable<void> Session::run() {
    log::info("connect", "session=", id_, " peer=", peer_);
    try {
        if (server_.sessions.size() > server_.limits.max_connections) {
            write(imap::untagged_status(imap::Status::bye, "UNAVAILABLE",
                                        "Too many connections, try again later"));
            co_await flush();
            co_return;
        }
        if (implicit_tls_ && !co_await handshake())
            co_return;
        write(imap::untagged_status(imap::Status::ok, "CAPABILITY " + capabilities(),
                                    "Postimap ready"));
        co_await flush();
        std::array<char, 16384> buffer;
        while (state_ != State::logout) {
            arm_timeout();
            std::size_t n = co_await stream_.read_some(asio::buffer(buffer));
            timeout_.cancel();
            framer_.feed(std::string_view(buffer.data(), n));
            for (;;) {
                auto event = framer_.next();
                if (std::holds_alternative<imap::NeedMore>(event))
                    break;
                if (std::holds_alternative<imap::SendContinuation>(event)) {
                    write("+ Ready for literal data\r\n");
                } else if (auto* done = std::get_if<imap::CompleteCommand>(&event)) {
                    co_await execute(done->bytes);
                } else {
                    co_await reject(std::get<imap::RejectedCommand>(event));
                }
                if (state_ == State::logout || starttls_pending_)
                    break;
            }
            co_await flush();
            if (starttls_pending_) {
                // RFC 3501 6.2.1 / RFC 2595 3.1: the handshake follows the
                // OK at once; bytes the client sent after STARTTLS were not
                // protected by TLS and must not be taken as commands.
                starttls_pending_ = false;
                framer_.discard_buffered();
                if (!co_await handshake())
                    break;
            }
        }
    } catch (const boost::system::system_error& e) {
        if (timed_out_) {
            log::info("autologout", "session=", id_);
            // Best effort: the client may be gone already.
            out_ = imap::untagged_status(imap::Status::bye, "", "Autologout; idle for too long");
            stream_.write_now(asio::buffer(out_));
        } else if (e.code() != asio::error::eof && e.code() != asio::error::connection_reset) {
            log::info("connection_error", "session=", id_, " error=\"", e.what(), "\"");
        }
    }
    timeout_.cancel();
    stream_.close();
    log::info("disconnect", "session=", id_);
}

// The TLS handshake, bounded by the login timeout. False when it failed
// (logged; the connection is then closed without a word, as there is no
// channel to say one on).
asio::awaitable<bool> Session::handshake() {
    arm_timeout();
    try {
        co_await stream_.start_tls(server_.tls->current());
    } catch (const boost::system::system_error& e) {
        timeout_.cancel();
        const std::string why = timed_out_ ? "handshake timed out" : e.code().message();
        log::info("tls_failed", "session=", id_, " peer=", peer_, " error=\"", why, "\"");
        co_return false;
    }
    timeout_.cancel();
    log::info("tls", "session=", id_, " ", stream_.tls_description());
    co_return true;
}

asio::awaitable<void> Session::reject(const imap::RejectedCommand& r) {
    using Reason = imap::RejectedCommand::Reason;
    const char* what = r.reason == Reason::line_too_long       ? "Command line"
                       : r.reason == Reason::literal_too_large ? "Literal"
                                                               : "Command";
    const std::string text =
        std::string(what) + " exceeds the limit of " + std::to_string(r.limit) + " bytes";
    const std::string tag = r.tag.empty() ? "*" : r.tag;
    // A refused synchronizing literal is never sent, so the command simply
    // fails (NO); an over-long line is a protocol error (BAD). When the
    // client sends a literal without waiting, its bytes cannot be told from
    // commands any more: answer, then end the connection.
    if (r.reason == Reason::line_too_long || r.fatal)
        write(imap::tagged(tag, imap::Status::bad, "TOOBIG", text));
    else
        write(imap::tagged(tag, imap::Status::no, "TOOBIG", text));
    if (r.fatal) {
        write(imap::untagged_status(imap::Status::bye, "TOOBIG", text));
        state_ = State::logout;
    }
    log::info("command_rejected", "session=", id_, " reason=", what, " fatal=", r.fatal);
    co_return;
}

asio::awaitable<void> Session::execute(std::string_view command) {
    auto started = std::chrono::steady_clock::now();
    imap::Reader reader(command);
    std::string tag;
    try {
        tag = std::string(reader.tag());
        reader.space();
    } catch (const imap::SyntaxError&) {
        write(imap::untagged_status(imap::Status::bad, "", "Missing or invalid tag"));
        co_return;
    }
    Completion done;
    std::exception_ptr failure;
    try {
        done = co_await dispatch(tag, reader);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure)
        done = completion_for(failure);
    if (refresh_pending_) {
        refresh_pending_ = false;
        try {
            co_await refresh_selected();
        } catch (const std::exception& e) {
            log::warn("refresh_failed", "session=", id_, " error=\"", e.what(), "\"");
        }
    }
    write(imap::tagged(tag, done.status, done.code, done.text));
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
    log::debug("command", "session=", id_, " tag=", tag, " result=", status_name(done.status),
               " us=", micros);
}

asio::awaitable<Completion> Session::dispatch(std::string_view tag, imap::Reader& reader) {
    std::string name = reader.command_name();
    if (name == "UID") {  // RFC 3501 6.4.8: "UID" SP (copy / fetch / search / store)
        reader.space();
        name += " " + reader.command_name();
    }
    const CommandSpec* spec = commands_.find(name);
    if (!spec)
        co_return Completion::bad("Unknown command " + name);
    if (!(spec->states & state_bit(state_)))
        co_return Completion::bad(name + " is not allowed in the " + state_name(state_) + " state");
    CommandContext ctx{*this, tag, spec->name};
    co_return co_await spec->handler(ctx, reader);
}

void Session::report_expunged(const std::vector<storage::Uid>& uids) {
    for (auto uid : uids)
        if (auto msn = selected_->remove(uid))
            write(imap::untagged(std::to_string(msn->value) + " EXPUNGE"));
}

// Reports messages added to the selected mailbox since the client last
// heard (EXISTS, and RECENT for those this session is first to see; a
// read-write session claims them so that no later session reports them
// again). Expunges by others wait for the push machinery.
asio::awaitable<void> Session::refresh_selected() {
    if (!selected_)
        co_return;
    auto& box = *selected_;
    auto snapshot = co_await store().open_mailbox(user_->id, box.name, !box.read_only);
    if (!snapshot || snapshot->id != box.id)
        co_return;
    auto last = box.uids.empty() ? storage::Uid{0} : box.uids.back();
    const std::size_t before = box.uids.size();
    for (auto uid : snapshot->uids)
        if (uid > last)
            box.uids.push_back(uid);
    if (box.uids.size() == before)
        co_return;
    if (!box.read_only)
        box.claim_recent(snapshot->recent_from, box.uids.cbegin() + before);
    write(imap::untagged(std::to_string(box.uids.size()) + " EXISTS"));
    write(imap::untagged(std::to_string(box.recent()) + " RECENT"));
}

}  // namespace postimap::session
