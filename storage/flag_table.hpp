// A worker's copy of the flags of a mailbox it synced lately, so that the
// next FETCH 1:* (FLAGS) of a large mailbox reads only what changed since
// (MailStore::changes_since: new messages, flag changes, tombstones) rather
// than every row. Exactly the mailbox at `modseq`; rebuilt from SQL
// whenever in doubt (a miss, another UIDVALIDITY, an evicted entry).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "storage/mail_store.hpp"

namespace postimap::storage {

struct FlagTable {
    std::uint32_t uidvalidity = 0;
    ModSeq modseq;
    std::vector<Uid> uids;           // ascending
    std::vector<std::uint8_t> bits;  // system flags per message (flag_bits.hpp)
    std::map<std::uint32_t, std::vector<std::string>> keywords;  // messages with any

    // The table at delta.highestmodseq (what changes_since read from `modseq`).
    void apply(const MailboxDelta& delta);
    // The messages with lo <= uid <= hi, flags only.
    std::vector<MessageData> rows(Uid lo, Uid hi) const;
};

}  // namespace postimap::storage
