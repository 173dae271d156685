#include "server/session/session.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "log/log.hpp"
#include "server/imap/flag_names.hpp"
#include "server/imap/sequence_set.hpp"
#include "server/metrics/worker_metrics.hpp"
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
                 bool implicit_tls, std::optional<asio::ip::tcp::endpoint> client)
    : stream_(std::move(socket)),
      implicit_tls_(implicit_tls),
      client_(client),
      server_(server),
      commands_(commands),
      framer_(server.limits.framer),
      timeout_(stream_.get_executor()),
      id_(server.next_session_id++),
      wakeup_(stream_.get_executor()),
      write_done_(stream_.get_executor()),
      watcher_done_(stream_.get_executor()) {
    boost::system::error_code ec;
    auto ep = client_ ? *client_ : stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
    if (!ec)
        peer_address_ = ep.address();
    server_.sessions.insert(this);
}

Session::~Session() {
    server_.sessions.erase(this);
    if (user_) {
        auto [first, last] = server_.by_user.equal_range(user_->id.value);
        for (auto it = first; it != last; ++it)
            if (it->second == this) {
                server_.by_user.erase(it);
                break;
            }
    }
}

void Session::close() {
    stream_.cancel();
    state_ = State::logout;
}

void Session::drain() {
    draining_ = true;
    // In IDLE with a write on the wire, the watcher ends the IDLE once the
    // write is done (cancelling now would cut a response in half).
    if (waiting_for_command_ || (idling_ && !writing_))
        stream_.cancel();
}

void Session::count_received(std::size_t bytes) {
    if (server_.metrics)
        server_.metrics->add(metrics::kBytesReceived, {{"protocol", "imap"}},
                             static_cast<double>(bytes));
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
    server_.by_user.emplace(user_->id.value, this);
}

void Session::on_change(storage::MailboxId mailbox, storage::ModSeq modseq) {
    if (!selected_ || (mailbox.value != 0 && mailbox != selected_->id))
        return;
    if (mailbox.value != 0 && modseq.value != 0 && modseq <= selected_->highestmodseq)
        return;  // already seen (our own change, or an older notification)
    changes_pending_ = true;
    wake();
}

void Session::resync() {
    if (!selected_)
        return;
    changes_pending_ = true;
    wake();
}

void Session::wake() {
    if (idling_)
        wakeup_.cancel();
}

void Session::note_own_modseq(storage::ModSeq modseq) {
    if (selected_ && modseq > selected_->highestmodseq)
        selected_->own_modseqs.push_back(modseq);
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
    arm_timeout(state_ == State::not_authenticated ? server_.limits.login_timeout
                                                   : server_.limits.idle_timeout);
}

void Session::arm_timeout(std::chrono::seconds after) {
    timeout_.expires_after(after);
    timeout_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self)
            return;
        self->timed_out_ = true;
        self->stream_.cancel();
    });
}

// One write on the wire at a time: during IDLE the watcher and the command
// both write. Whoever finds a write in progress waits for it (write_done_
// serves as a condition variable: cancel() wakes the waiters), then sends
// what has queued up meanwhile.
asio::awaitable<void> Session::flush() {
    while (writing_) {
        write_done_.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await write_done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (out_.empty())
        co_return;
    writing_ = true;
    try {
        while (!out_.empty()) {
            std::string chunk;
            chunk.swap(out_);
            co_await stream_.write_all(asio::buffer(chunk));
            if (server_.metrics)
                server_.metrics->add(metrics::kBytesSent, {{"protocol", "imap"}},
                                     static_cast<double>(chunk.size()));
        }
    } catch (...) {
        writing_ = false;
        write_done_.cancel();
        throw;
    }
    writing_ = false;
    write_done_.cancel();
}

asio::awaitable<std::string> Session::read_continuation_line() {
    co_await flush();
    auto& buffer = read_buffer_;
    for (;;) {
        bool too_long = false;
        if (auto line = framer_.take_line(too_long))
            co_return std::move(*line);
        if (too_long)
            throw imap::SyntaxError("Line exceeds the limit of " +
                                    std::to_string(server_.limits.framer.max_line) + " bytes");
        if (idling_)
            arm_timeout(server_.limits.idle_command_timeout);
        else
            arm_timeout();
        std::size_t n = co_await stream_.read_some(asio::buffer(buffer));
        timeout_.cancel();
        count_received(n);
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
    auto ep = client_ ? *client_ : stream_.socket().remote_endpoint(ec);
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
        auto& buffer = read_buffer_;
        while (state_ != State::logout) {
            if (draining_) {
                write(imap::untagged_status(imap::Status::bye, "",
                                            "Server shutting down; reconnect to continue"));
                co_await flush();
                break;
            }
            arm_timeout();
            waiting_for_command_ = true;
            std::size_t n = co_await stream_.read_some(asio::buffer(buffer));
            waiting_for_command_ = false;
            timeout_.cancel();
            count_received(n);
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
                if (state_ == State::logout || starttls_pending_ || draining_)
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
        if (draining_ && e.code() == asio::error::operation_aborted) {
            // Waiting for a command or in IDLE: nothing is half done, so the
            // client may reconnect (through the balancer, to another worker).
            log::info("drained", "session=", id_, " peer=", peer_);
            out_ = imap::untagged_status(imap::Status::bye, "",
                                         "Server shutting down; reconnect to continue");
            stream_.write_now(asio::buffer(out_));
        } else if (timed_out_) {
            log::info("autologout", "session=", id_, " peer=", peer_);
            // Best effort: the client may be gone already.
            out_ = imap::untagged_status(imap::Status::bye, "", "Autologout; idle for too long");
            stream_.write_now(asio::buffer(out_));
        } else if (e.code() != asio::error::eof && e.code() != asio::error::connection_reset) {
            log::info("connection_error", "session=", id_, " peer=", peer_, " error=\"", e.what(),
                      "\"");
        }
    }
    timeout_.cancel();
    stream_.close();
    log::info("disconnect", "session=", id_, " peer=", peer_);
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
        if (server_.metrics)
            server_.metrics->add(metrics::kTlsHandshakes, {{"result", "failed"}});
        co_return false;
    }
    timeout_.cancel();
    if (server_.metrics)
        server_.metrics->add(metrics::kTlsHandshakes, {{"result", "ok"}});
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
    if (failure) {
        // The client hung up while the command read from it (IDLE, a SASL
        // exchange), or shutdown cut such a wait: no tagged reply, the
        // session ends (with BYE when draining).
        try {
            std::rethrow_exception(failure);
        } catch (const boost::system::system_error& e) {
            if (draining_ || e.code() == asio::error::eof ||
                e.code() == asio::error::connection_reset || e.code() == asio::error::broken_pipe)
                throw;
        } catch (...) {
        }
    }
    if (failure)
        done = completion_for(failure);
    if ((refresh_pending_ || changes_pending_) && selected_) {
        // RFC 3501 7.4.1: no EXPUNGE while answering FETCH, STORE or SEARCH
        // (their UID forms may carry one).
        const bool expunges_allowed = current_command_ != "FETCH" && current_command_ != "STORE" &&
                                      current_command_ != "SEARCH";
        try {
            co_await report_changes(expunges_allowed);
        } catch (const std::exception& e) {
            log::warn("refresh_failed", "session=", id_, " error=\"", e.what(), "\"");
        }
    }
    refresh_pending_ = false;
    write(imap::tagged(tag, done.status, done.code, done.text));
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
    // Known command names only: a label per typo would grow without bound.
    const std::string name = commands_.find(current_command_) ? current_command_ : "unknown";
    if (server_.metrics) {
        server_.metrics->add(metrics::kCommands,
                             {{"command", name}, {"result", status_name(done.status)}});
        server_.metrics->observe(metrics::kCommandSeconds, {{"command", name}},
                                 static_cast<double>(micros) / 1e6);
    }
    log::info("command", "session=", id_, " peer=", peer_, " command=", name, " tag=", tag,
              " result=", status_name(done.status), " us=", micros);
}

asio::awaitable<Completion> Session::dispatch(std::string_view tag, imap::Reader& reader) {
    current_command_.clear();
    std::string name = reader.command_name();
    if (name == "UID") {  // RFC 3501 6.4.8: "UID" SP (copy / fetch / search / store)
        reader.space();
        name += " " + reader.command_name();
    }
    current_command_ = name;
    const CommandSpec* spec = commands_.find(name);
    if (!spec)
        co_return Completion::bad("Unknown command " + name);
    if (!(spec->states & state_bit(state_)))
        co_return Completion::bad(name + " is not allowed in the " + state_name(state_) + " state");
    CommandContext ctx{*this, tag, spec->name};
    co_return co_await spec->handler(ctx, reader);
}

void Session::report_expunged(const std::vector<storage::Uid>& uids) {
    if (qresync_) {
        // RFC 7162 3.2.10: VANISHED instead of EXPUNGE once QRESYNC is on.
        std::vector<std::pair<std::uint32_t, std::uint32_t>> gone;
        for (auto uid : uids)
            if (selected_->remove(uid))
                gone.emplace_back(uid.value, uid.value);
        if (!gone.empty())
            write(imap::untagged("VANISHED " + imap::format_sequence(gone)));
        return;
    }
    for (auto uid : uids)
        if (auto msn = selected_->remove(uid))
            write(imap::untagged(std::to_string(msn->value) + " EXPUNGE"));
}

// Reads what changed in the selected mailbox since the client was last told
// (one query) and tells it, in the order RFC 3501 7.4.1 needs: expunges
// first (each numbered after the ones before), then flag changes, then the
// new EXISTS (and RECENT, for those this session is the first to see; a
// read-write session claims them so no later session reports them again).
asio::awaitable<void> Session::report_changes(bool expunges_allowed) {
    changes_pending_ = false;
    if (!selected_)
        co_return;
    const auto id = selected_->id;
    const auto since = selected_->highestmodseq;
    const auto last = selected_->uids.empty() ? storage::Uid{0} : selected_->uids.back();
    auto delta = co_await store().changes_since(user_->id, id, since, last);
    if (!selected_ || selected_->id != id)
        co_return;  // the client selected another mailbox meanwhile
    auto& box = *selected_;
    if (delta.gone || delta.uidvalidity != box.uidvalidity) {
        // Deleted (or renamed away) by another session: the view cannot be
        // kept; say so and end, as Dovecot does.
        write(imap::untagged_status(imap::Status::bye, "", "Selected mailbox was deleted"));
        state_ = State::logout;
        co_return;
    }
    for (auto uid : delta.expunged)
        if (box.msn_of(uid) &&
            !std::binary_search(box.pending_expunges.begin(), box.pending_expunges.end(), uid))
            box.pending_expunges.insert(
                std::upper_bound(box.pending_expunges.begin(), box.pending_expunges.end(), uid),
                uid);
    if (expunges_allowed && !box.pending_expunges.empty()) {
        auto gone = std::move(box.pending_expunges);
        box.pending_expunges.clear();
        report_expunged(gone);
    }
    for (const auto& c : delta.changed) {
        if (std::find(box.own_modseqs.begin(), box.own_modseqs.end(), c.modseq) !=
            box.own_modseqs.end())
            continue;  // our own STORE, already answered
        if (auto msn = box.msn_of(c.uid))
            write(imap::untagged(
                std::to_string(msn->value) + " FETCH (UID " + std::to_string(c.uid.value) +
                " FLAGS (" + imap::format_flags(c.flags, box.is_recent(c.uid)) + ")" +
                (condstore_ ? " MODSEQ (" + std::to_string(c.modseq.value) + ")" : std::string()) +
                ")"));
    }
    const std::size_t before = box.uids.size();
    for (const auto& a : delta.added)
        if (box.uids.empty() || a.uid > box.uids.back())
            box.uids.push_back(a.uid);
    if (box.uids.size() != before) {
        const auto told = box.uids.cbegin() + static_cast<std::ptrdiff_t>(before);
        box.add_claimed(told);
        if (!box.read_only && box.knows_unclaimed())
            if (auto claim = co_await store().claim_recent(user_->id, id))
                box.claim_recent(*claim, box.uids.cbegin() + static_cast<std::ptrdiff_t>(before));
        write(imap::untagged(std::to_string(box.uids.size()) + " EXISTS"));
        write(imap::untagged(std::to_string(box.recent()) + " RECENT"));
    }
    if (delta.highestmodseq > box.highestmodseq)
        box.highestmodseq = delta.highestmodseq;
    std::erase_if(box.own_modseqs, [&](storage::ModSeq m) { return m <= box.highestmodseq; });
}

// IDLE: this coroutine reads the client's line (DONE) while idle_watch()
// reports changes and keepalives; both write through flush(), one at a time.
asio::awaitable<bool> Session::idle() {
    idling_ = true;
    if (changes_pending_ || refresh_pending_) {
        refresh_pending_ = false;
        co_await report_changes(true);
    }
    watcher_running_ = true;
    asio::co_spawn(
        stream_.get_executor(),
        [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->idle_watch(); },
        asio::detached);
    std::string line;
    std::exception_ptr failure;
    try {
        line = co_await read_continuation_line();
    } catch (...) {
        failure = std::current_exception();
    }
    idling_ = false;
    wakeup_.cancel();
    while (watcher_running_) {
        watcher_done_.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await watcher_done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (failure)
        std::rethrow_exception(failure);
    co_return imap::ascii_upper(line) == "DONE";
}

asio::awaitable<void> Session::idle_watch() {
    try {
        while (idling_) {
            if (changes_pending_) {
                // Notifications that came while the last report was being
                // read: cancel() found no waiter then, so look before waiting.
                co_await report_changes(true);
                co_await flush();
                if (state_ == State::logout || draining_) {
                    stream_.cancel();  // BYE sent: end the reading side too
                    break;
                }
                continue;
            }
            wakeup_.expires_after(server_.limits.idle_keepalive);
            boost::system::error_code ec;
            co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (!idling_ || state_ == State::logout)
                break;
            if (ec != asio::error::operation_aborted)
                write(imap::untagged_status(imap::Status::ok, "", "Still here"));
            else if (changes_pending_)
                co_await report_changes(true);
            co_await flush();
            if (state_ == State::logout || draining_) {
                stream_.cancel();
                break;
            }
        }
    } catch (const std::exception& e) {
        // The connection is gone or the database is: the reading side
        // notices the former; for the latter, the next command reports it.
        log::info("idle_watch_stopped", "session=", id_, " error=\"", e.what(), "\"");
    }
    watcher_running_ = false;
    watcher_done_.cancel();
}

}  // namespace postimap::session
