#include "storage/change_listener.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <cstdint>

#include "log/log.hpp"
#include "storage/pg/connection.hpp"
#include "storage/pg/error.hpp"
#include "storage/pg/pool.hpp"

namespace postimap::storage {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
constexpr std::chrono::milliseconds kConnectTimeout{5000};

bool read_number(std::string_view& text, std::uint64_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || end == text.data())
        return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return true;
}

bool read_space(std::string_view& text) {
    if (text.empty() || text.front() != ' ')
        return false;
    text.remove_prefix(1);
    return true;
}

}  // namespace

std::optional<MailboxChange> parse_change(std::string_view payload) {
    std::uint64_t user = 0, mailbox = 0, modseq = 0;
    if (!read_number(payload, user) || !read_space(payload) || !read_number(payload, mailbox) ||
        !read_space(payload) || !read_number(payload, modseq))
        return std::nullopt;
    std::uint64_t sent_us = 0;
    if (!payload.empty() && (!read_space(payload) || !read_number(payload, sent_us)))
        return std::nullopt;
    if (!payload.empty() || sent_us > static_cast<std::uint64_t>(INT64_MAX))
        return std::nullopt;
    if (user > static_cast<std::uint64_t>(INT64_MAX) ||
        mailbox > static_cast<std::uint64_t>(INT64_MAX))
        return std::nullopt;
    return MailboxChange{UserId{static_cast<std::int64_t>(user)},
                         MailboxId{static_cast<std::int64_t>(mailbox)}, ModSeq{modseq},
                         static_cast<std::int64_t>(sent_us)};
}

ChangeListener::ChangeListener(asio::any_io_executor ex, std::string dsn, OnChanges on_changes,
                               OnResync on_resync)
    : executor_(ex),
      dsn_(std::move(dsn)),
      on_changes_(std::move(on_changes)),
      on_resync_(std::move(on_resync)),
      backoff_timer_(ex) {}

ChangeListener::~ChangeListener() = default;

void ChangeListener::stop() {
    stopped_ = true;
    backoff_timer_.cancel();
    if (current_)
        current_->cancel();
}

asio::awaitable<void> ChangeListener::run() {
    auto backoff = kFirstBackoff;
    while (!stopped_) {
        try {
            auto conn = co_await pg::Connection::connect(executor_, dsn_, kConnectTimeout);
            co_await conn->exec_script(std::string("listen ") + kChangeChannel);
            current_ = conn.get();
            connected_ = true;
            backoff = kFirstBackoff;
            log::info("listener_connected", "channel=", kChangeChannel);
            on_resync_();
            while (!stopped_) {
                auto notes = co_await conn->wait_notifications();
                std::vector<MailboxChange> changes;
                changes.reserve(notes.size());
                for (const auto& n : notes)
                    if (auto c = parse_change(n.payload))
                        changes.push_back(*c);
                if (!changes.empty())
                    on_changes_(changes);
            }
        } catch (const std::exception& e) {
            if (!stopped_)
                log::warn("listener_lost", "error=\"", e.what(), "\" retry_ms=", backoff.count());
        }
        current_ = nullptr;
        connected_ = false;
        if (stopped_)
            break;
        backoff_timer_.expires_after(backoff);
        boost::system::error_code ec;
        co_await backoff_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        backoff = std::min(backoff * 2, kMaxBackoff);
    }
}

namespace {
const pg::Statement kQueueUsage{"notification_queue_usage",
                                "select pg_notification_queue_usage()::float8::text"};
}  // namespace

asio::awaitable<double> notification_queue_usage(pg::Pool& pool) {
    auto conn = co_await pool.acquire();
    auto r = co_await conn->exec(kQueueUsage);
    co_return std::stod(r[0].str(0));
}

}  // namespace postimap::storage
