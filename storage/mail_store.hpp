// The mail store: every query the protocol layer needs, in domain terms.
// Every call is scoped by the authenticated user (and its tenant); nothing
// here knows IMAP syntax. Errors: storage::Error for conditions the caller
// reports (not_found, ...), pg::ConnectionError when the database is away.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/pg/pool.hpp"
#include "storage/types.hpp"

namespace postimap::storage {

namespace asio = boost::asio;

struct LoginRecord {
    UserId user;
    TenantId tenant;
    std::string password_secret;  // RFC 5803 SCRAM-SHA-256 authPassword
    bool disabled = false;
};

struct MailboxInfo {
    MailboxId id;
    std::string name;  // UTF-8, '/'-separated
    bool subscribed = false;
    std::optional<std::string> special_use;
};

// What SELECT needs, read in one consistent snapshot.
struct MailboxSnapshot {
    MailboxId id;
    std::string name;
    std::uint32_t uidvalidity = 0;
    Uid uidnext;
    ModSeq highestmodseq;
    std::vector<Uid> uids;  // ascending: message sequence number i+1 is uids[i]
    std::optional<Uid> first_unseen;
    std::vector<std::string> keywords;  // keywords in use in the mailbox
};

struct AppendRequest {
    UserId user;
    TenantId tenant;
    std::string mailbox;  // name
    std::string_view raw;
    Flags flags;
    std::int64_t internal_date = 0;  // Unix seconds
};

struct AppendResult {
    MailboxId mailbox;
    std::uint32_t uidvalidity = 0;
    Uid uid;
};

struct FetchNeeds {
    bool raw = false;  // the message's bytes
};

struct MessageData {
    Uid uid;
    Flags flags;
    std::int64_t internal_date = 0;  // Unix seconds
    std::int64_t size = 0;
    std::optional<std::string> raw;
};

class MailStore {
  public:
    explicit MailStore(pg::Pool& pool) : pool_(pool) {}

    // address is local@domain, compared case-insensitively.
    asio::awaitable<std::optional<LoginRecord>> find_login(std::string_view address);

    asio::awaitable<std::vector<MailboxInfo>> list_mailboxes(UserId user);
    // nullopt when the user has no mailbox of that name.
    asio::awaitable<std::optional<MailboxSnapshot>> open_mailbox(UserId user,
                                                                 std::string_view name);
    // Throws Error(already_exists).
    asio::awaitable<void> create_mailbox(UserId user, std::string_view name);

    // Stores the bytes once per tenant and gives them the mailbox's next UID;
    // returns after COMMIT. Throws Error(not_found) when the mailbox is missing.
    asio::awaitable<AppendResult> append(const AppendRequest& request);

    // Messages of the mailbox whose UIDs fall in `ranges`, ascending by UID.
    asio::awaitable<std::vector<MessageData>> fetch(UserId user, MailboxId mailbox,
                                                    const std::vector<UidRange>& ranges,
                                                    FetchNeeds needs);
    // Sets \Seen on those of `ranges` that lack it; returns their UIDs.
    asio::awaitable<std::vector<Uid>> mark_seen(UserId user, MailboxId mailbox,
                                                const std::vector<UidRange>& ranges);

  private:
    pg::Pool& pool_;
};

}  // namespace postimap::storage
