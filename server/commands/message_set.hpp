// Which messages a command's sequence set names, in the session's view:
// message sequence numbers (RFC 3501 2.3.1.2) or UIDs (6.4.8).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/imap/sequence_set.hpp"
#include "server/session/session_state.hpp"
#include "storage/types.hpp"

namespace postimap::commands {

struct MsnInterval {
    std::uint32_t first, last;  // inclusive, 1-based
};

// Throws imap::SyntaxError for a sequence number beyond the mailbox (as
// Dovecot does); UIDs that do not exist are skipped (RFC 3501 6.4.8).
std::vector<MsnInterval> resolve_messages(const imap::SequenceSet& set, bool by_uid,
                                          const session::SelectedMailbox& box);
// The same messages as UID ranges, for storage.
std::vector<storage::UidRange> uid_ranges(const std::vector<MsnInterval>& intervals,
                                          const session::SelectedMailbox& box);

// Ascending numbers as a compact sequence set ("2:4,7"), for COPYUID.
std::string compact_set(const std::vector<std::uint32_t>& ascending);

}  // namespace postimap::commands
