#include "server/commands/message_set.hpp"

#include "server/imap/sequence_set.hpp"

#include <algorithm>

#include "server/imap/reader.hpp"

namespace postimap::commands {

std::vector<MsnInterval> resolve_messages(const imap::SequenceSet& set, bool by_uid,
                                          const session::SelectedMailbox& box) {
    std::vector<MsnInterval> out;
    if (!by_uid) {
        for (auto [a, b] : set.resolve(box.exists())) {
            if (b > box.exists())
                throw imap::SyntaxError("Invalid message sequence number");
            out.push_back({a, b});
        }
        return out;
    }
    if (box.uids.empty())
        return out;
    for (auto [a, b] : set.resolve(box.uids.back().value)) {
        auto lo = std::lower_bound(box.uids.begin(), box.uids.end(), storage::Uid{a});
        auto hi = std::upper_bound(box.uids.begin(), box.uids.end(), storage::Uid{b});
        if (lo < hi)
            out.push_back({static_cast<std::uint32_t>(lo - box.uids.begin() + 1),
                           static_cast<std::uint32_t>(hi - box.uids.begin())});
    }
    return out;
}

std::vector<storage::UidRange> uid_ranges(const std::vector<MsnInterval>& intervals,
                                          const session::SelectedMailbox& box) {
    std::vector<storage::UidRange> out;
    out.reserve(intervals.size());
    for (auto [a, b] : intervals)
        out.push_back({box.uid_of({a}), box.uid_of({b})});
    return out;
}

std::string compact_set(const std::vector<std::uint32_t>& ascending) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> intervals;
    for (auto n : ascending)
        intervals.emplace_back(n, n);
    return imap::format_sequence(intervals);
}

}  // namespace postimap::commands
