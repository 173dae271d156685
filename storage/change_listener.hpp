// The worker's ear on the database: one connection LISTENing on the
// postimap_changes channel (migration 0008), awaited through Asio, turning
// notifications into MailboxChange values for the sessions. When the
// connection drops it reconnects with backoff and, once back, asks everyone
// to resync: notifications sent meanwhile are lost, so a lost one costs
// latency, never correctness.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types.hpp"

namespace postimap::pg {
class Connection;
class Pool;
}  // namespace postimap::pg

namespace postimap::storage {

namespace asio = boost::asio;

// "user_id mailbox_id highestmodseq". Mailbox 0: the subscriptions moved;
// modseq 0: the mailbox is gone.
struct MailboxChange {
    UserId user;
    MailboxId mailbox;
    ModSeq modseq;
    // When the changing transaction began (microseconds since the epoch;
    // 0 from payloads older than migration 0010), for the lag metric.
    std::int64_t sent_us = 0;
};

std::optional<MailboxChange> parse_change(std::string_view payload);

inline constexpr const char* kChangeChannel = "postimap_changes";

// How full the server's NOTIFY queue is (0..1, pg_notification_queue_usage).
// A listener that stops reading (a stalled worker) keeps everything after
// its position in the queue; a full queue makes every committing
// transaction that notifies fail. Workers log a warning above a quarter.
asio::awaitable<double> notification_queue_usage(pg::Pool& pool);

class ChangeListener {
  public:
    // Each call gets all notifications that arrived together (a burst is
    // one call).
    using OnChanges = std::function<void(const std::vector<MailboxChange>&)>;
    // After every (re)connect: anything may have changed unheard.
    using OnResync = std::function<void()>;

    ChangeListener(asio::any_io_executor ex, std::string dsn, OnChanges on_changes,
                   OnResync on_resync);
    ~ChangeListener();

    // Listens until stop(); never throws for lost connections.
    asio::awaitable<void> run();
    void stop();
    bool connected() const { return connected_; }

  private:
    asio::any_io_executor executor_;
    std::string dsn_;
    OnChanges on_changes_;
    OnResync on_resync_;
    asio::steady_timer backoff_timer_;
    pg::Connection* current_ = nullptr;  // while connected, for stop()
    bool stopped_ = false;
    bool connected_ = false;
};

}  // namespace postimap::storage
