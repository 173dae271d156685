#include "storage/flag_table.hpp"

#include <algorithm>

#include "storage/flag_bits.hpp"

namespace postimap::storage {

void FlagTable::apply(const MailboxDelta& delta) {
    if (!delta.expunged.empty()) {
        std::vector<Uid> kept_uids;
        std::vector<std::uint8_t> kept_bits;
        kept_uids.reserve(uids.size());
        kept_bits.reserve(bits.size());
        auto gone = delta.expunged.begin();
        for (std::size_t i = 0; i < uids.size(); ++i) {
            while (gone != delta.expunged.end() && *gone < uids[i])
                ++gone;
            if (gone != delta.expunged.end() && *gone == uids[i]) {
                keywords.erase(uids[i].value);
                continue;
            }
            kept_uids.push_back(uids[i]);
            kept_bits.push_back(bits[i]);
        }
        uids = std::move(kept_uids);
        bits = std::move(kept_bits);
    }
    auto set = [&](std::size_t i, const ChangedFlags& c) {
        bits[i] = pack_system_flags(c.flags.system);
        if (c.flags.keywords.empty())
            keywords.erase(c.uid.value);
        else
            keywords[c.uid.value] = c.flags.keywords;
    };
    for (const auto& c : delta.changed) {
        auto it = std::lower_bound(uids.begin(), uids.end(), c.uid);
        if (it != uids.end() && *it == c.uid)
            set(static_cast<std::size_t>(it - uids.begin()), c);
    }
    for (const auto& a : delta.added) {
        if (!uids.empty() && a.uid <= uids.back())
            continue;
        uids.push_back(a.uid);
        bits.push_back(0);
        set(uids.size() - 1, a);
    }
    modseq = delta.highestmodseq;
}

std::vector<MessageData> FlagTable::rows(Uid lo, Uid hi) const {
    std::vector<MessageData> out;
    auto first = std::lower_bound(uids.begin(), uids.end(), lo);
    auto last = std::upper_bound(first, uids.end(), hi);
    out.reserve(static_cast<std::size_t>(last - first));
    for (auto it = first; it != last; ++it) {
        const auto i = static_cast<std::size_t>(it - uids.begin());
        MessageData m;
        m.uid = *it;
        m.flags.system = unpack_system_flags(bits[i]);
        if (auto k = keywords.find(it->value); k != keywords.end())
            m.flags.keywords = k->second;
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace postimap::storage
