// Identifiers as distinct types, so a mailbox id never passes for a user id
// and a UID never passes for a message sequence number.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace postimap::storage {

template <typename Tag, typename T>
struct StrongId {
    T value{};
    auto operator<=>(const StrongId&) const = default;
};

using TenantId = StrongId<struct TenantTag, std::int64_t>;
using UserId = StrongId<struct UserTag, std::int64_t>;
using MailboxId = StrongId<struct MailboxTag, std::int64_t>;
using MessageId = StrongId<struct MessageTag, std::int64_t>;
using Uid = StrongId<struct UidTag, std::uint32_t>;
using ModSeq = StrongId<struct ModSeqTag, std::uint64_t>;

// The system flags of RFC 3501 2.3.2 (\Recent is per session, not stored).
struct SystemFlags {
    bool seen = false;
    bool answered = false;
    bool flagged = false;
    bool deleted = false;
    bool draft = false;
    auto operator<=>(const SystemFlags&) const = default;
};

struct Flags {
    SystemFlags system;
    std::vector<std::string> keywords;
};

// An inclusive range of UIDs.
struct UidRange {
    Uid first;
    Uid last;
};

// The messages a session reports as \Recent (RFC 3501 2.3.2): UIDs in
// [from, to). `to` can be past the UIDs the session has read: the claim takes
// the mailbox row's newest version, which may be newer than the snapshot the
// UID list came from; the session counts those messages as recent when it
// learns of them. Empty by default: nothing claimed.
struct RecentClaim {
    Uid from{0};
    Uid to{0};
};

}  // namespace postimap::storage
