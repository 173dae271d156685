#include "storage/uid_list_cache.hpp"

#include <algorithm>

namespace postimap::storage {

void UidListCache::put(UserId user, std::string_view name, Snapshot snapshot) {
    Key key{user.value, std::string(name)};
    if (const auto* old = entries_.find(key)) {
        const bool same_mailbox =
            old->id == snapshot.id && old->uidvalidity == snapshot.uidvalidity;
        if (same_mailbox && old->modseq.value >= snapshot.modseq.value)
            return;  // a concurrent open stored a newer one
    }
    if (!snapshot.uids) {
        entries_.erase(key);
        return;
    }
    entries_.put(key, std::move(snapshot));
}

std::vector<Uid> apply_uid_delta(const std::vector<Uid>& base, const std::vector<Uid>& expunged,
                                 const std::vector<Uid>& added) {
    std::vector<Uid> out;
    out.reserve(base.size() + added.size());
    auto gone = expunged.begin();
    for (Uid uid : base) {
        while (gone != expunged.end() && gone->value < uid.value)
            ++gone;
        if (gone != expunged.end() && gone->value == uid.value)
            continue;
        out.push_back(uid);
    }
    for (Uid uid : added)
        if (out.empty() || uid.value > out.back().value)
            out.push_back(uid);
    return out;
}

}  // namespace postimap::storage
