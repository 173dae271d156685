// A worker's memory of the UID lists of mailboxes it opened lately, so that
// SELECT of a large mailbox reads only what changed since (new UIDs and
// tombstones above the cached MODSEQ) instead of every UID. Only what SQL
// can rebuild: a miss, a recreated mailbox (other id or UIDVALIDITY) or an
// evicted entry means one full read. Used from one event loop (no locks).
//
// Correct as long as tombstones (expunged_messages) are kept: a retention
// policy that deletes them must also drop cached entries older than its
// floor MODSEQ.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/lru_cache.hpp"
#include "storage/types.hpp"

namespace postimap::storage {

class UidListCache {
  public:
    struct Snapshot {
        MailboxId id;
        std::uint32_t uidvalidity = 0;
        ModSeq modseq;  // the list is exactly the mailbox's at this MODSEQ
        std::shared_ptr<const std::vector<Uid>> uids;
    };

    // At most this many UIDs in all entries together (4 bytes each).
    explicit UidListCache(std::size_t max_uids = 4u << 20)
        : entries_(max_uids, [](const Snapshot& s) { return s.uids ? s.uids->size() : 0; }) {}

    // The cached list of the user's mailbox of this name, if any.
    const Snapshot* find(UserId user, std::string_view name) {
        return entries_.find(Key{user.value, std::string(name)});
    }
    // Keeps `snapshot` unless a newer one of the same mailbox is there.
    void put(UserId user, std::string_view name, Snapshot snapshot);
    void erase(UserId user, std::string_view name) {
        entries_.erase(Key{user.value, std::string(name)});
    }
    std::size_t size() const { return entries_.size(); }
    std::size_t cached_uids() const { return entries_.weight(); }

  private:
    using Key = std::pair<std::int64_t, std::string>;
    LruCache<Key, Snapshot> entries_;
};

// The list at a later MODSEQ: `base` without the expunged UIDs, then the
// added ones (all above base's last). Both inputs ascending.
std::vector<Uid> apply_uid_delta(const std::vector<Uid>& base, const std::vector<Uid>& expunged,
                                 const std::vector<Uid>& added);

}  // namespace postimap::storage
