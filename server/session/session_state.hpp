// A session's view: who is logged in and which mailbox is selected, with the
// message sequence number map (RFC 3501 2.3.1.2) the client has been told.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/shared_uids.hpp"
#include "storage/types.hpp"

namespace postimap::session {

enum class State { not_authenticated, authenticated, selected, logout };

struct AuthenticatedUser {
    storage::UserId id;
    storage::TenantId tenant;
    std::string address;
};

// Message sequence number: 1-based position in the selected mailbox.
struct Msn {
    std::uint32_t value = 0;
    auto operator<=>(const Msn&) const = default;
};

struct SelectedMailbox {
    storage::MailboxId id;
    std::string name;
    bool read_only = false;
    std::uint32_t uidvalidity = 0;
    storage::SharedUids uids;  // uids[msn - 1], ascending
    // The messages this session was the first to be told of (RFC 3501
    // 2.3.2), ascending. Not a watermark: others may have claimed some in
    // between.
    std::vector<storage::Uid> recent_uids;
    // The mailbox's HIGHESTMODSEQ as of what the client has been told (push
    // reads changes after it).
    storage::ModSeq highestmodseq{};
    // Expunged by others, read but not yet reported (not allowed during
    // FETCH, STORE, SEARCH): still in `uids` until reported. Ascending.
    std::vector<storage::Uid> pending_expunges{};
    // MODSEQs of this session's own flag changes, whose FETCH it already
    // sent: the next read of changes skips them.
    std::vector<storage::ModSeq> own_modseqs{};
    // This session's latest claim: messages in it that the session has not
    // read yet are recent to it when it does.
    storage::RecentClaim claim{};

    std::uint32_t exists() const { return static_cast<std::uint32_t>(uids.size()); }
    storage::Uid uid_of(Msn msn) const { return uids.at(msn.value - 1); }
    std::uint32_t recent() const { return static_cast<std::uint32_t>(recent_uids.size()); }
    bool is_recent(storage::Uid uid) const {
        return std::binary_search(recent_uids.begin(), recent_uids.end(), uid);
    }
    // Counts the newly told messages from `begin` on that fall in the
    // session's latest claim as recent.
    void add_claimed(storage::SharedUids::const_iterator begin) {
        for (auto it = std::lower_bound(begin, uids.cend(), claim.from);
             it != uids.cend() && *it < claim.to; ++it)
            recent_uids.push_back(*it);
    }
    // Makes `c` the latest claim and counts its messages from `begin` on.
    void claim_recent(storage::RecentClaim c, storage::SharedUids::const_iterator begin) {
        claim = c;
        add_claimed(begin);
    }
    // Whether the newest message told is beyond the latest claim: then it
    // may be unclaimed.
    bool knows_unclaimed() const { return !uids.empty() && uids.back() >= claim.to; }
    // Forgets a message; returns the sequence number it had.
    std::optional<Msn> remove(storage::Uid uid) {
        auto msn = msn_of(uid);
        if (msn) {
            uids.erase(uids.begin() + (msn->value - 1));
            auto r = std::lower_bound(recent_uids.begin(), recent_uids.end(), uid);
            if (r != recent_uids.end() && *r == uid)
                recent_uids.erase(r);
        }
        return msn;
    }
    std::optional<Msn> msn_of(storage::Uid uid) const {
        auto it = std::lower_bound(uids.begin(), uids.end(), uid);
        if (it == uids.end() || *it != uid)
            return std::nullopt;
        return Msn{static_cast<std::uint32_t>(it - uids.begin() + 1)};
    }
};

}  // namespace postimap::session
