#include "server/lmtp/lmtp_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <ctime>

#include "log/log.hpp"
#include "server/lmtp/data_decoder.hpp"
#include "server/metrics/worker_metrics.hpp"
#include "storage/error.hpp"

namespace postimap::lmtp {
namespace {

std::string upper_word(std::string_view line) {
    std::string word;
    for (char c : line) {
        if (c == ' ' || c == ':')
            break;
        word += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    return word;
}

// "MAIL FROM:" / "RCPT TO:", case-insensitively; what follows, or nothing.
std::optional<std::string_view> after_prefix(std::string_view line, std::string_view prefix) {
    if (line.size() < prefix.size())
        return std::nullopt;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = line[i];
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 32);
        if (c != prefix[i])
            return std::nullopt;
    }
    return line.substr(prefix.size());
}

std::string rfc5322_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

}  // namespace

LmtpSession::LmtpSession(asio::generic::stream_protocol::socket socket, LmtpContext& context,
                         std::string peer)
    : socket_(std::move(socket)),
      context_(context),
      peer_(std::move(peer)),
      id_(context.next_session_id++),
      timeout_(socket_.get_executor()) {
    context_.sessions.insert(this);
}

LmtpSession::~LmtpSession() {
    context_.sessions.erase(this);
}

void LmtpSession::drain() {
    draining_ = true;
    if (!busy_) {
        boost::system::error_code ignored;
        socket_.cancel(ignored);
    }
}

void LmtpSession::arm_timeout() {
    timeout_.expires_after(context_.settings.timeout);
    timeout_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self)
            return;
        self->timed_out_ = true;
        boost::system::error_code ignored;
        self->socket_.cancel(ignored);
    });
}

asio::awaitable<void> LmtpSession::flush() {
    if (out_.empty())
        co_return;
    std::string chunk;
    chunk.swap(out_);
    co_await asio::async_write(socket_, asio::buffer(chunk), asio::use_awaitable);
    if (context_.metrics)
        context_.metrics->add(metrics::kBytesSent, {{"protocol", "lmtp"}},
                              static_cast<double>(chunk.size()));
}

// One command line without its CRLF. An over-long line is answered and
// skipped here (RFC 5321 4.5.3.1.4: 500 for a line too long).
asio::awaitable<std::string> LmtpSession::read_line() {
    bool skipping = false;
    for (;;) {
        auto nl = in_.find('\n');
        if (nl != std::string::npos) {
            std::string line = in_.substr(0, nl);
            in_.erase(0, nl + 1);
            if (skipping || line.size() > context_.settings.max_line_length) {
                error_reply("500 5.5.2 Line too long");
                skipping = false;
                continue;
            }
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            co_return line;
        }
        if (in_.size() > context_.settings.max_line_length) {
            in_.clear();
            skipping = true;
        }
        if (in_.empty())
            co_await flush();  // pipelined commands are answered together
        co_await read_more();
    }
}

// One read into in_, bounded by the command timeout.
asio::awaitable<void> LmtpSession::read_more() {
    arm_timeout();
    std::size_t n = co_await socket_.async_read_some(asio::buffer(buffer_), asio::use_awaitable);
    timeout_.cancel();
    if (context_.metrics)
        context_.metrics->add(metrics::kBytesReceived, {{"protocol", "lmtp"}},
                              static_cast<double>(n));
    in_.append(buffer_.data(), n);
}

void LmtpSession::error_reply(std::string_view text) {
    reply(text);
    ++errors_;
}

asio::awaitable<void> LmtpSession::run() {
    log::info("lmtp_connect", "session=L", id_, " peer=", peer_);
    try {
        reply("220 " + context_.settings.hostname + " Postimap LMTP ready");
        while (!quit_) {
            if (draining_) {
                reply("421 4.3.2 " + context_.settings.hostname + " Shutting down");
                break;
            }
            std::string line = co_await read_line();
            busy_ = true;
            const bool keep = co_await handle(line);
            busy_ = false;
            if (!keep)
                break;
            if (errors_ >= context_.settings.max_errors) {
                reply("421 4.7.0 Too many errors, closing the connection");
                log::info("lmtp_too_many_errors", "session=L", id_, " peer=", peer_);
                break;
            }
        }
        co_await flush();
    } catch (const boost::system::system_error& e) {
        if (timed_out_) {
            log::info("lmtp_timeout", "session=L", id_);
            out_ = "421 4.4.2 " + context_.settings.hostname + " Timeout, closing\r\n";
            boost::system::error_code ignored;
            socket_.non_blocking(true, ignored);
            socket_.write_some(asio::buffer(out_), ignored);
        } else if (draining_) {
            out_ = "421 4.3.2 " + context_.settings.hostname + " Shutting down\r\n";
            boost::system::error_code ignored;
            socket_.non_blocking(true, ignored);
            socket_.write_some(asio::buffer(out_), ignored);
        } else if (e.code() != asio::error::eof && e.code() != asio::error::connection_reset) {
            log::info("lmtp_connection_error", "session=L", id_, " error=\"", e.what(), "\"");
        }
    }
    timeout_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    log::info("lmtp_disconnect", "session=L", id_);
}

asio::awaitable<bool> LmtpSession::handle(std::string_view line) {
    const std::string verb = upper_word(line);
    std::string_view argument = line.substr(std::min(line.size(), verb.size()));
    if (verb == "LHLO") {
        lhlo(argument);
    } else if (verb == "HELO" || verb == "EHLO") {
        error_reply("500 5.5.1 This is LMTP: say LHLO");
    } else if (verb == "MAIL") {
        mail(line);
    } else if (verb == "RCPT") {
        co_await rcpt(line);
    } else if (verb == "DATA") {
        co_await data();
    } else if (verb == "RSET") {
        reset_transaction();
        reply("250 2.0.0 Ok");
    } else if (verb == "NOOP") {
        reply("250 2.0.0 Ok");
    } else if (verb == "VRFY") {
        reply("252 2.5.2 Cannot VRFY; send the message and see");
    } else if (verb == "QUIT") {
        reply("221 2.0.0 " + context_.settings.hostname + " Bye");
        quit_ = true;
    } else if (verb.empty()) {
        error_reply("500 5.5.2 Empty command");
    } else {
        error_reply("500 5.5.2 Unknown command");
    }
    co_return true;
}

void LmtpSession::lhlo(std::string_view argument) {
    while (!argument.empty() && argument.front() == ' ')
        argument.remove_prefix(1);
    if (argument.empty()) {
        error_reply("501 5.5.4 LHLO needs a host name");
        return;
    }
    // It goes into Received headers: printable ASCII only.
    lhlo_name_.clear();
    for (char c : argument.substr(0, std::min<std::size_t>(argument.size(), 255)))
        lhlo_name_ += (c > 32 && c < 127) ? c : '_';
    reset_transaction();
    reply("250-" + context_.settings.hostname);
    reply("250-PIPELINING");
    reply("250-ENHANCEDSTATUSCODES");
    reply("250-8BITMIME");
    reply("250 SIZE " + std::to_string(context_.settings.max_message_size));
}

void LmtpSession::reset_transaction() {
    in_transaction_ = false;
    sender_.clear();
    recipients_.clear();
}

void LmtpSession::mail(std::string_view line) {
    auto rest = after_prefix(line, "MAIL FROM:");
    if (!rest)
        return error_reply("501 5.5.4 Syntax: MAIL FROM:<address>");
    if (lhlo_name_.empty())
        return error_reply("503 5.5.1 Say LHLO first");
    if (in_transaction_)
        return error_reply("503 5.5.1 MAIL already given");
    auto path = parse_path_argument(*rest);
    if (!path)
        return error_reply("501 5.1.7 Bad sender address syntax");
    for (const auto& [keyword, value] : path->params) {
        if (keyword == "SIZE") {
            unsigned long long size = 0;
            try {
                size = std::stoull(value);
            } catch (const std::exception&) {
                return error_reply("501 5.5.4 Bad SIZE value");
            }
            if (size > context_.settings.max_message_size)
                return error_reply("552 5.3.4 Message too big for system");
        } else if (keyword == "BODY") {
            if (value != "7BIT" && value != "8BITMIME" && value != "7bit" && value != "8bitmime")
                return error_reply("501 5.5.4 BODY must be 7BIT or 8BITMIME");
        } else {
            return error_reply("555 5.5.4 Unsupported parameter " + keyword);
        }
    }
    sender_ = path->address;
    in_transaction_ = true;
    reply("250 2.1.0 Ok");
}

asio::awaitable<void> LmtpSession::rcpt(std::string_view line) {
    auto rest = after_prefix(line, "RCPT TO:");
    if (!rest)
        co_return error_reply("501 5.5.4 Syntax: RCPT TO:<address>");
    if (!in_transaction_)
        co_return error_reply("503 5.5.1 MAIL first");
    auto path = parse_path_argument(*rest);
    if (!path || path->address.empty())
        co_return error_reply("501 5.1.3 Bad recipient address syntax");
    for (const auto& [keyword, value] : path->params)
        if (keyword != "ORCPT")  // informational; the delivered address is the one used
            co_return error_reply("555 5.5.4 Unsupported parameter " + keyword);
    const std::string& address = path->address;
    if (recipients_.size() >= context_.settings.max_recipients)
        co_return reply("452 4.5.3 Too many recipients");
    auto parts = split_recipient(address, context_.settings.recipient_delimiter);
    if (!parts)
        co_return error_reply("501 5.1.3 Bad recipient address syntax");
    std::optional<storage::RecipientRecord> record;
    try {
        record = co_await context_.store.find_recipient(parts->user);
    } catch (const std::exception& e) {
        log::warn("lmtp_lookup_failed", "session=L", id_, " error=\"", e.what(), "\"");
        co_return reply("451 4.3.0 <" + address + "> Temporary failure, try again later");
    }
    if (!record)
        co_return reply("550 5.1.1 <" + address + "> User doesn't exist");
    if (record->disabled)
        co_return reply("550 5.2.1 <" + address + "> Mailbox disabled");
    if (record->over_quota())
        co_return reply(context_.settings.quota_tempfail
                            ? "452 4.2.2 <" + address + "> Mailbox is full"
                            : "552 5.2.2 <" + address + "> Mailbox is full");
    recipients_.push_back(Recipient{address, std::move(*parts), *record});
    reply("250 2.1.5 Ok");
}

asio::awaitable<void> LmtpSession::data() {
    if (!in_transaction_)
        co_return error_reply("503 5.5.1 MAIL first");
    if (recipients_.empty())
        co_return error_reply("503 5.5.1 No valid recipients");
    reply("354 Start mail input; end with <CRLF>.<CRLF>");
    co_await flush();
    DataDecoder decoder(context_.settings.max_message_size);
    for (;;) {
        in_.erase(0, decoder.feed(in_));
        if (decoder.done())
            break;
        // The DATA block as a whole gets 10 minutes (RFC 5321 4.5.3.2.6)
        // between reads, like any command here: a dropped connection
        // throws out of here with nothing stored.
        co_await read_more();
    }
    if (decoder.too_large()) {
        for (const auto& r : recipients_)
            reply("552 5.3.4 <" + r.address + "> Message too big for system");
        reset_transaction();
        co_return;
    }
    const std::string message = decoder.take_message();
    // With one recipient the trace says whom it was for; with several the
    // copies stay byte-identical (stored once) and reveal no other
    // recipient (Dovecot leaves Delivered-To out then too).
    const Recipient* only = recipients_.size() == 1 ? &recipients_.front() : nullptr;
    auto raw = std::make_shared<const std::string>(trace_headers(only) + message);
    // Parsed once for all recipients (the bytes are the same).
    auto prepared =
        std::make_shared<const storage::PreparedMessage>(storage::prepare_message(*raw));
    // One transaction per recipient; each reply goes out, in RCPT order,
    // once that recipient's transaction has committed. The deliveries hold
    // the session and the bytes, so a connection lost meanwhile harms
    // nothing.
    auto results = std::make_shared<std::vector<std::optional<std::string>>>(recipients_.size());
    auto progress = std::make_shared<asio::steady_timer>(socket_.get_executor());
    // The first recipient stores the bytes; the others (started once it is
    // done) only link them, all at once. Started together, they would all
    // send the bytes and wait on the first one's unique key anyway.
    auto spawn = [&](std::size_t i) {
        asio::co_spawn(socket_.get_executor(),
                       deliver_one(shared_from_this(), recipients_[i], raw, prepared, i > 0),
                       [results, progress, i](std::exception_ptr, std::string text) {
                           (*results)[i] = std::move(text);
                           progress->cancel();
                       });
    };
    spawn(0);
    for (std::size_t i = 0; i < results->size(); ++i) {
        while (!(*results)[i]) {
            progress->expires_at(asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await progress->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        if (i == 0)
            for (std::size_t j = 1; j < results->size(); ++j)
                spawn(j);
        reply(*(*results)[i]);
        co_await flush();
    }
    reset_transaction();
}

asio::awaitable<std::string> LmtpSession::deliver_one(
    std::shared_ptr<LmtpSession> self, Recipient r, std::shared_ptr<const std::string> raw,
    std::shared_ptr<const storage::PreparedMessage> prepared, bool probably_stored) {
    try {
        co_return co_await self->deliver(r, *raw, prepared.get(), probably_stored);
    } catch (const std::exception& e) {
        co_return "451 4.3.0 <" + r.address + "> Temporary failure, try again later";
    }
}

asio::awaitable<std::string> LmtpSession::deliver(const Recipient& r, const std::string& raw,
                                                  const storage::PreparedMessage* prepared,
                                                  bool probably_stored) {
    storage::AppendRequest request{.user = r.record.user,
                                   .tenant = r.record.tenant,
                                   .mailbox = "INBOX",
                                   .raw = raw,
                                   .flags = {},
                                   .internal_date = static_cast<std::int64_t>(std::time(nullptr)),
                                   .prepared = prepared,
                                   .probably_stored = probably_stored};
    const auto started = std::chrono::steady_clock::now();
    std::string result_label = "ok";
    std::string text;
    try {
        std::optional<storage::AppendResult> stored;
        if (!r.parts.detail.empty()) {
            // The folder named by the detail when it exists, else INBOX.
            request.mailbox = r.parts.detail;
            try {
                stored = co_await context_.store.append(request);
            } catch (const storage::Error& e) {
                if (e.kind() != storage::ErrorKind::not_found)
                    throw;
            }
        }
        if (!stored) {
            request.mailbox = "INBOX";
            stored = co_await context_.store.append(request);
        }
        const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
        log::info("lmtp_delivered", "session=L", id_, " peer=", peer_, " user=", r.parts.user,
                  " mailbox=\"", request.mailbox, "\" uid=", stored->uid.value,
                  " size=", raw.size(), " us=", ms);
        text = "250 2.0.0 <" + r.address + "> Saved as UID " + std::to_string(stored->uid.value);
    } catch (const storage::Error& e) {
        if (e.kind() == storage::ErrorKind::over_quota) {
            result_label = "over_quota";
            text = context_.settings.quota_tempfail
                       ? "452 4.2.2 <" + r.address + "> Mailbox is full"
                       : "552 5.2.2 <" + r.address + "> Mailbox is full";
        } else if (e.kind() == storage::ErrorKind::not_found) {
            result_label = "no_inbox";
            text = "450 4.2.0 <" + r.address + "> Mailbox unavailable";
        } else {
            result_label = "failed";
            text = "451 4.3.0 <" + r.address + "> Temporary failure, try again later";
        }
        log::info("lmtp_refused", "session=L", id_, " user=", r.parts.user,
                  " reason=", result_label, " error=\"", e.what(), "\"");
    } catch (const std::exception& e) {
        // The database is away or the transaction failed: nothing is
        // stored for this recipient, and the MTA will try again.
        result_label = "failed";
        text = "451 4.3.0 <" + r.address + "> Temporary failure, try again later";
        log::warn("lmtp_delivery_failed", "session=L", id_, " user=", r.parts.user, " error=\"",
                  e.what(), "\"");
    }
    if (context_.metrics)
        context_.metrics->add(metrics::kLmtpDeliveries, {{"result", result_label}});
    co_return text;
}

std::string LmtpSession::trace_headers(const Recipient* only) const {
    std::string h = "Return-Path: <" + sender_ + ">\r\n";
    if (only)
        h += "Delivered-To: " + only->address + "\r\n";
    h += "Received: from " + lhlo_name_ + " (" + peer_ + ")\r\n\tby " + context_.settings.hostname +
         " (Postimap) with LMTP id L" + std::to_string(id_);
    if (only)
        h += "\r\n\tfor <" + only->address + ">";
    h += "; " + rfc5322_now() + "\r\n";
    return h;
}

}  // namespace postimap::lmtp
