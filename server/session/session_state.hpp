// A session's view: who is logged in and which mailbox is selected, with the
// message sequence number map (RFC 3501 2.3.1.2) the client has been told.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
    std::vector<storage::Uid> uids;  // uids[msn - 1], ascending

    std::uint32_t exists() const { return static_cast<std::uint32_t>(uids.size()); }
    storage::Uid uid_of(Msn msn) const { return uids.at(msn.value - 1); }
    std::optional<Msn> msn_of(storage::Uid uid) const {
        auto it = std::lower_bound(uids.begin(), uids.end(), uid);
        if (it == uids.end() || *it != uid)
            return std::nullopt;
        return Msn{static_cast<std::uint32_t>(it - uids.begin() + 1)};
    }
};

}  // namespace postimap::session
