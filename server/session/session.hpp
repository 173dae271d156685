// One client connection: reads bytes, frames commands, checks the state,
// runs the handler the command table names, and writes responses in order.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/imap/command_framer.hpp"
#include "server/net/stream.hpp"
#include "server/session/command.hpp"
#include "server/session/server_context.hpp"
#include "server/session/session_state.hpp"

namespace postimap::session {

namespace asio = boost::asio;

class Session : public std::enable_shared_from_this<Session> {
  public:
    // With `implicit_tls`, the TLS handshake comes before the greeting.
    // `client`: the real client when a load balancer said so (PROXY
    // protocol); otherwise the socket's peer is the client.
    Session(asio::ip::tcp::socket socket, ServerContext& server, const CommandTable& commands,
            bool implicit_tls = false,
            std::optional<asio::ip::tcp::endpoint> client = std::nullopt);
    ~Session();

    // The caller keeps the Session alive (a shared_ptr) until this returns.
    asio::awaitable<void> run();
    // Ends the session at its next wait (server shutdown).
    void close();
    // Graceful shutdown: a session waiting for a command or in IDLE gets
    // "* BYE" now; one running a command gets it after the tagged reply.
    void drain();
    bool draining() const { return draining_; }

    // For command handlers.
    ServerContext& server() { return server_; }
    storage::MailStore& store() { return server_.store; }
    std::uint64_t id() const { return id_; }
    const std::string& peer() const { return peer_; }
    // The client's IP address alone (throttling is per address, not port).
    std::string peer_ip() const { return peer_address_.to_string(); }
    bool is_tls() const { return stream_.is_tls(); }
    // TLS, loopback or a trusted network: plain-text passwords may be sent.
    bool secure() const;
    // STARTTLS can be offered: TLS is configured and not yet active.
    bool can_start_tls() const;
    // The CAPABILITY list for this connection's state, without "CAPABILITY".
    std::string capabilities() const;
    // The TLS handshake starts once the tagged response is sent, and
    // whatever the client pipelined after STARTTLS is discarded.
    void start_tls_after_response() { starttls_pending_ = true; }
    State state() const { return state_; }
    const AuthenticatedUser& user() const { return *user_; }
    SelectedMailbox& selected() { return *selected_; }
    bool has_selected() const { return selected_.has_value(); }
    void authenticate(AuthenticatedUser user);
    void select(SelectedMailbox mailbox);
    void unselect();
    // The tagged response of this command is the last thing sent.
    void logout() { state_ = State::logout; }
    // Something may have been added to the selected mailbox: tell the client
    // before the tagged response (RFC 3501 7.3.1).
    void note_selected_mailbox_changed() { refresh_pending_ = true; }
    // Push: a mailbox of this session's user moved to `modseq` (mailbox 0:
    // subscriptions; modseq 0: deleted). Cheap: marks, and wakes an IDLE.
    void on_change(storage::MailboxId mailbox, storage::ModSeq modseq);
    // Push was interrupted: anything may have changed.
    void resync();
    // This session's own flag change; its FETCH was sent with the command.
    void note_own_modseq(storage::ModSeq modseq);
    // IDLE (RFC 2177): reports changes as they come and a keepalive now and
    // then until the client sends DONE. Returns false if the line was not
    // DONE.
    asio::awaitable<bool> idle();
    bool timed_out() const { return timed_out_; }
    bool idling() const { return idling_; }
    // RFC 7162: CONDSTORE once the client used or ENABLEd it (MODSEQ in
    // FETCH responses, HIGHESTMODSEQ on SELECT); QRESYNC (ENABLE only)
    // implies CONDSTORE and turns EXPUNGE responses into VANISHED.
    bool condstore() const { return condstore_; }
    bool qresync() const { return qresync_; }
    void enable_condstore() { condstore_ = true; }
    void enable_qresync() { qresync_ = condstore_ = true; }
    void write(std::string_view bytes) { out_.append(bytes); }
    // Tells the client that these messages are gone (ascending UIDs), each
    // "* n EXPUNGE" numbered after the ones before it (RFC 3501 7.4.1).
    void report_expunged(const std::vector<storage::Uid>& uids);
    asio::awaitable<void> flush_if_large();
    // Sends what is queued, then reads one line of the client's (a SASL
    // response), without CRLF. Throws imap::SyntaxError if it is too long.
    asio::awaitable<std::string> read_continuation_line();
    // "ip;port" of each end, as Cyrus SASL wants them.
    std::string local_ip_port() const;
    std::string remote_ip_port() const;

  private:
    asio::awaitable<void> flush();
    asio::awaitable<void> execute(std::string_view command);
    asio::awaitable<Completion> dispatch(std::string_view tag, imap::Reader& reader);
    // Tells the client what changed in the selected mailbox: new messages
    // (EXISTS, RECENT), flag changes (FETCH), and, when allowed, expunges.
    asio::awaitable<void> report_changes(bool expunges_allowed);
    asio::awaitable<void> idle_watch();
    void wake();
    asio::awaitable<void> reject(const imap::RejectedCommand& rejected);
    void arm_timeout();
    void arm_timeout(std::chrono::seconds after);
    asio::awaitable<bool> handshake();
    void count_received(std::size_t bytes);

    net::Stream stream_;
    bool implicit_tls_;
    asio::ip::address peer_address_;
    std::optional<asio::ip::tcp::endpoint> client_;
    ServerContext& server_;
    const CommandTable& commands_;
    imap::CommandFramer framer_;
    asio::steady_timer timeout_;
    std::uint64_t id_;
    std::string peer_;
    State state_ = State::not_authenticated;
    std::optional<AuthenticatedUser> user_;
    std::optional<SelectedMailbox> selected_;
    bool refresh_pending_ = false;
    bool timed_out_ = false;
    bool starttls_pending_ = false;
    bool changes_pending_ = false;  // push said the selected mailbox moved
    bool condstore_ = false;
    bool qresync_ = false;
    bool idling_ = false;
    bool draining_ = false;
    bool waiting_for_command_ = false;
    bool watcher_running_ = false;
    bool writing_ = false;           // a flush is on the wire: others wait
    asio::steady_timer wakeup_;      // IDLE's watcher sleeps on it
    asio::steady_timer write_done_;  // flush waiters sleep on it
    asio::steady_timer watcher_done_;
    std::string current_command_;
    std::array<char, 4096> read_buffer_;
    std::string out_;
};

}  // namespace postimap::session
