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
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
    explicit UidListCache(std::size_t max_uids = 4u << 20) : max_uids_(max_uids) {}

    // The cached list of the user's mailbox of this name, if any.
    const Snapshot* find(UserId user, std::string_view name);
    // Keeps `snapshot` unless a newer one is there already.
    void put(UserId user, std::string_view name, Snapshot snapshot);
    void erase(UserId user, std::string_view name);
    std::size_t size() const { return entries_.size(); }
    std::size_t cached_uids() const { return total_uids_; }

  private:
    using Key = std::pair<std::int64_t, std::string>;
    struct Entry {
        Snapshot snapshot;
        std::list<Key>::iterator lru;  // position in lru_ (front: most recent)
    };
    void evict_to(std::size_t limit);

    std::size_t max_uids_;
    std::size_t total_uids_ = 0;
    std::map<Key, Entry, std::less<>> entries_;
    std::list<Key> lru_;
};

// The list at a later MODSEQ: `base` without the expunged UIDs, then the
// added ones (all above base's last). Both inputs ascending.
std::vector<Uid> apply_uid_delta(const std::vector<Uid>& base, const std::vector<Uid>& expunged,
                                 const std::vector<Uid>& added);

}  // namespace postimap::storage
