// One LMTP connection (RFC 2033): an MTA hands over messages, each with its
// recipients, and gets one reply per accepted recipient after DATA, sent
// only once that recipient's copy is committed.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "server/lmtp/smtp_path.hpp"
#include "storage/mail_store.hpp"

namespace postimap::metrics {
class Registry;
}

namespace postimap::lmtp {

namespace asio = boost::asio;

struct LmtpSettings {
    std::string hostname = "localhost";
    std::size_t max_message_size = 50u << 20;
    std::size_t max_recipients = 100;
    std::size_t max_line_length = 4096;
    std::size_t max_errors = 20;  // then 421 and goodbye
    // Over quota: 452 4.2.2 (the MTA retries later) instead of 552 5.2.2
    // (it bounces).
    bool quota_tempfail = false;
    char recipient_delimiter = '+';
    std::chrono::seconds timeout{300};  // RFC 5321 4.5.3.2: 5 minutes a command
};

class LmtpSession;

struct LmtpContext {
    storage::MailStore& store;
    LmtpSettings settings;
    metrics::Registry* metrics = nullptr;
    std::unordered_set<LmtpSession*> sessions{};
    std::uint64_t next_session_id = 1;
};

class LmtpSession : public std::enable_shared_from_this<LmtpSession> {
  public:
    // `peer`: the client as logs should name it (the PROXY header's, when a
    // balancer sent one), "unix" for the Unix socket.
    LmtpSession(asio::generic::stream_protocol::socket socket, LmtpContext& context,
                std::string peer);
    ~LmtpSession();

    asio::awaitable<void> run();
    // Shutdown: ends the connection now when it waits for a command, else
    // after the transaction in progress, with 421.
    void drain();

  private:
    struct Recipient {
        std::string address;  // as given in RCPT TO
        RecipientAddress parts;
        storage::RecipientRecord record;
    };

    asio::awaitable<std::string> read_line();
    asio::awaitable<void> read_more();
    asio::awaitable<void> flush();
    void reply(std::string_view text) { out_.append(text).append("\r\n"); }
    asio::awaitable<bool> handle(std::string_view line);
    void lhlo(std::string_view argument);
    void mail(std::string_view argument);
    asio::awaitable<void> rcpt(std::string_view argument);
    asio::awaitable<void> data();
    asio::awaitable<std::string> deliver(const Recipient& rcpt, const std::string& message,
                                         const storage::PreparedMessage* prepared,
                                         bool probably_stored);
    static asio::awaitable<std::string> deliver_one(
        std::shared_ptr<LmtpSession> self, Recipient rcpt, std::shared_ptr<const std::string> raw,
        std::shared_ptr<const storage::PreparedMessage> prepared, bool probably_stored);
    std::string trace_headers(const Recipient* only) const;
    void reset_transaction();
    void arm_timeout();
    void error_reply(std::string_view text);

    asio::generic::stream_protocol::socket socket_;
    LmtpContext& context_;
    std::string peer_;
    std::uint64_t id_;
    asio::steady_timer timeout_;
    std::string in_;   // bytes read but not yet used
    std::string out_;  // replies not yet sent
    std::array<char, 16384> buffer_;
    std::string lhlo_name_;
    bool in_transaction_ = false;
    std::string sender_;
    std::vector<Recipient> recipients_;
    std::size_t errors_ = 0;
    bool busy_ = false;
    bool draining_ = false;
    bool quit_ = false;
    bool timed_out_ = false;
};

}  // namespace postimap::lmtp
