#include "storage/uid_list_cache.hpp"

#include <algorithm>

namespace postimap::storage {

const UidListCache::Snapshot* UidListCache::find(UserId user, std::string_view name) {
    auto it = entries_.find(Key{user.value, std::string(name)});
    if (it == entries_.end())
        return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return &it->second.snapshot;
}

void UidListCache::put(UserId user, std::string_view name, Snapshot snapshot) {
    const std::size_t n = snapshot.uids ? snapshot.uids->size() : 0;
    if (!snapshot.uids || n > max_uids_) {
        erase(user, name);
        return;
    }
    Key key{user.value, std::string(name)};
    auto it = entries_.find(key);
    if (it != entries_.end()) {
        auto& old = it->second.snapshot;
        const bool same_mailbox = old.id == snapshot.id && old.uidvalidity == snapshot.uidvalidity;
        if (same_mailbox && old.modseq.value >= snapshot.modseq.value)
            return;  // a concurrent open stored a newer one
        total_uids_ -= old.uids->size();
        old = std::move(snapshot);
        total_uids_ += n;
        lru_.splice(lru_.begin(), lru_, it->second.lru);
    } else {
        lru_.push_front(key);
        entries_.emplace(std::move(key), Entry{std::move(snapshot), lru_.begin()});
        total_uids_ += n;
    }
    evict_to(max_uids_);
}

void UidListCache::erase(UserId user, std::string_view name) {
    auto it = entries_.find(Key{user.value, std::string(name)});
    if (it == entries_.end())
        return;
    total_uids_ -= it->second.snapshot.uids->size();
    lru_.erase(it->second.lru);
    entries_.erase(it);
}

void UidListCache::evict_to(std::size_t limit) {
    while (total_uids_ > limit && !lru_.empty()) {
        auto it = entries_.find(lru_.back());
        total_uids_ -= it->second.snapshot.uids->size();
        entries_.erase(it);
        lru_.pop_back();
    }
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
