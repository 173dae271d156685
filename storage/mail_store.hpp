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

#include "storage/lru_cache.hpp"
#include "storage/pg/pool.hpp"
#include "storage/search.hpp"
#include "storage/shared_uids.hpp"
#include "storage/types.hpp"
#include "storage/uid_list_cache.hpp"

namespace postimap::storage {

namespace asio = boost::asio;

struct FlagTable;

struct LoginRecord {
    UserId user;
    TenantId tenant;
    std::string password_secret;  // RFC 5803 SCRAM-SHA-256 authPassword
    bool disabled = false;
    // The SCRAM-SHA-1 one; none for users whose password predates it.
    std::optional<std::string> scram_sha1_secret{};
};

// A delivery recipient (LMTP): who, and how full its mailboxes are.
struct RecipientRecord {
    UserId user;
    TenantId tenant;
    bool disabled = false;
    std::optional<std::int64_t> quota_bytes{};  // none: unlimited
    std::int64_t used_bytes = 0;
    bool over_quota() const { return quota_bytes && used_bytes >= *quota_bytes; }
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
    SharedUids uids;  // ascending: message sequence number i+1 is uids[i]
    std::optional<Uid> first_unseen;
    std::vector<std::string> keywords;  // keywords in use in the mailbox
    RecentClaim recent;
};

// What STATUS reports (RFC 3501 6.3.10).
struct MailboxStatus {
    std::int64_t messages = 0;
    std::int64_t recent = 0;
    std::int64_t unseen = 0;
    Uid uidnext;
    std::uint32_t uidvalidity = 0;
    ModSeq highestmodseq;
};

enum class FlagChange { add, remove, replace };

// A message's flags after a change, with the MODSEQ that change got.
struct ChangedFlags {
    Uid uid;
    Flags flags;
    ModSeq modseq;
};

// What changed in a mailbox since a session last looked (push): one
// snapshot of new messages, flag changes and expunges.
struct MailboxDelta {
    bool gone = false;  // deleted or renamed away: the session's view is stale
    std::uint32_t uidvalidity = 0;
    ModSeq highestmodseq;
    std::vector<ChangedFlags> added;    // uid > the session's last, ascending
    std::vector<ChangedFlags> changed;  // uid <= the last, modseq > since
    std::vector<Uid> expunged;          // tombstones with modseq > since, ascending
};

struct CopyResult {
    MailboxId mailbox;
    std::uint32_t uidvalidity = 0;
    std::vector<std::pair<Uid, Uid>> uids;  // (source, copy), ascending by source
};

// What storing a message needs from its bytes: parsed once, whatever the
// number of mailboxes it goes to (a delivery to ten recipients).
struct PreparedMessage {
    std::string digest;  // SHA-256 of the bytes
    std::int64_t header_size = 0;
    std::optional<std::int64_t> sent_date{};  // Date:, Unix seconds
    std::optional<std::int64_t> sent_day{};   // the day as written there
    std::optional<std::string> subject{};
    std::optional<std::string> message_id{};
    std::string search_text;
    std::string structure_json;
    std::vector<std::string> header_names;
    std::vector<std::string> header_values;
};

PreparedMessage prepare_message(std::string_view raw);

struct AppendRequest {
    UserId user;
    TenantId tenant;
    std::string mailbox;  // name
    std::string_view raw;
    Flags flags;
    std::int64_t internal_date = 0;  // Unix seconds
    // prepare_message(raw), when the caller made it already; else made here.
    const PreparedMessage* prepared = nullptr;
    // The tenant has these bytes already, most likely: look before sending.
    bool probably_stored = false;
};

struct AppendResult {
    MailboxId mailbox;
    std::uint32_t uidvalidity = 0;
    Uid uid;
};

struct FetchNeeds {
    bool raw = false;  // the message's bytes
    // Its MIME structure (JSON of storage/mime/part_json); for rows stored
    // before that column existed, the bytes come instead, to parse.
    bool structure = false;
    // With structure: only its envelope is needed, so only that is read
    // (JSON of the envelope alone, mime::envelope_from_json).
    bool only_envelope = false;
    // RFC822.SIZE. Without size, raw and structure, only the per-mailbox row
    // is read (the FLAGS sync clients run on every open stays cheap).
    bool size = false;
    // UIDs and flags are all that is needed: no INTERNALDATE, no MODSEQ
    // (a FLAGS sync), which a large range then reads far more cheaply.
    bool only_flags = false;
};

struct MessageData {
    Uid uid;
    Flags flags;
    std::int64_t internal_date = 0;  // Unix seconds
    ModSeq modseq;                   // of its last change (CONDSTORE)
    std::int64_t size = 0;
    std::optional<std::string> raw;
    std::optional<std::string> structure;  // NULL for rows stored before it existed
};

class MailStore {
  public:
    explicit MailStore(pg::Pool& pool);

    // address is local@domain, compared case-insensitively.
    asio::awaitable<std::optional<LoginRecord>> find_login(std::string_view address);
    // The user of local@domain (compared case-insensitively), for delivery.
    asio::awaitable<std::optional<RecipientRecord>> find_recipient(std::string_view address);

    asio::awaitable<std::vector<MailboxInfo>> list_mailboxes(UserId user);
    // nullopt when the user has no mailbox of that name. With claim_recent
    // (SELECT, not EXAMINE) the session becomes the one that reports the
    // current \Recent messages; later sessions will not.
    asio::awaitable<std::optional<MailboxSnapshot>> open_mailbox(UserId user, std::string_view name,
                                                                 bool claim_recent = false);
    asio::awaitable<std::optional<MailboxStatus>> mailbox_status(UserId user,
                                                                 std::string_view name);
    // Throws Error(already_exists).
    asio::awaitable<void> create_mailbox(UserId user, std::string_view name);
    // Deletes the mailbox and its messages; its children stay. Throws
    // Error(not_found).
    asio::awaitable<void> delete_mailbox(UserId user, std::string_view name);
    // Renames the mailbox and every mailbox below it. Throws
    // Error(not_found) or Error(already_exists).
    asio::awaitable<void> rename_mailbox(UserId user, std::string_view from, std::string_view to);
    // RFC 3501 6.3.5: renaming INBOX moves its messages to a new mailbox and
    // leaves INBOX empty. Throws Error(already_exists).
    asio::awaitable<void> rename_inbox(UserId user, std::string_view to);

    asio::awaitable<std::vector<std::string>> subscriptions(UserId user);
    asio::awaitable<void> subscribe(UserId user, std::string_view name);
    // Throws Error(not_found) when not subscribed.
    asio::awaitable<void> unsubscribe(UserId user, std::string_view name);

    // Stores the bytes once per tenant and gives them the mailbox's next UID;
    // returns after COMMIT. Throws Error(not_found) when the mailbox is missing.
    asio::awaitable<AppendResult> append(const AppendRequest& request);

    // Messages of the mailbox whose UIDs fall in `ranges`, ascending by UID.
    asio::awaitable<std::vector<MessageData>> fetch(UserId user, MailboxId mailbox,
                                                    const std::vector<UidRange>& ranges,
                                                    FetchNeeds needs);
    // Everything that happened in the mailbox after `since` (its
    // highestmodseq when the session last looked), for messages up to
    // `last_uid` (changes and expunges) and above it (new messages).
    asio::awaitable<MailboxDelta> changes_since(UserId user, MailboxId mailbox, ModSeq since,
                                                Uid last_uid);
    // Makes this session the one that reports the messages no session has
    // claimed yet as \Recent; nullopt when there are none (then nothing is
    // written).
    asio::awaitable<std::optional<RecentClaim>> claim_recent(UserId user, MailboxId mailbox);
    // UIDs of the mailbox's messages that match, ascending: one query.
    asio::awaitable<std::vector<Uid>> search(UserId user, MailboxId mailbox,
                                             const SearchNode& criteria);
    // Changes flags of the messages in `ranges`; returns the messages whose
    // flags really changed, ascending by UID. One MODSEQ for the whole change,
    // and none when nothing changed.
    // With `unchanged_since` (STORE UNCHANGEDSINCE, RFC 7162), messages
    // whose MODSEQ is above it are left alone.
    asio::awaitable<std::vector<ChangedFlags>> change_flags(
        UserId user, MailboxId mailbox, const std::vector<UidRange>& ranges, FlagChange how,
        const Flags& flags, std::optional<std::uint64_t> unchanged_since = std::nullopt);
    // Removes the messages marked \Deleted (only those in `ranges`, if
    // given), leaving tombstones; returns their UIDs ascending.
    asio::awaitable<std::vector<Uid>> expunge(UserId user, MailboxId mailbox,
                                              const std::optional<std::vector<UidRange>>& ranges);
    // Copies messages (flags and internal date kept) into the mailbox named
    // `to` under new UIDs. Throws Error(not_found) for a missing target.
    // MOVE (RFC 6851): COPY and expunge of the originals in one transaction.
    asio::awaitable<CopyResult> move(UserId user, MailboxId from,
                                     const std::vector<UidRange>& ranges, std::string_view to);
    asio::awaitable<CopyResult> copy(UserId user, MailboxId from,
                                     const std::vector<UidRange>& ranges, std::string_view to);

  private:
    // A connection acting for `user`: row-level security (schema/security.sql)
    // then shows it that user's rows only.
    asio::awaitable<pg::Lease> acquire_for(UserId user);
    asio::awaitable<CopyResult> copy_or_move(UserId user, MailboxId from,
                                             std::vector<UidRange> ranges, std::string to,
                                             bool move);

    // The mailbox's flags as of now, from the worker's copy brought up to
    // date (storage/flag_table.hpp), or read whole.
    asio::awaitable<std::shared_ptr<const FlagTable>> flag_table(UserId user, MailboxId mailbox);

    pg::Pool& pool_;
    UidListCache uid_cache_;
    LruCache<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<const FlagTable>> flag_tables_;
};

}  // namespace postimap::storage
