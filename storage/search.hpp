// What to search for, in storage terms: the command layer turns IMAP's
// SEARCH keys into this tree (sequence numbers and \Recent already resolved
// to UIDs), and storage turns it into one SQL query that runs on indexes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/types.hpp"

namespace postimap::storage {

struct SearchNode {
    enum class Kind {
        all,
        none,
        flag,     // a system flag is set
        keyword,  // text names a keyword that is set
        uid_in,   // ranges
        header,   // field (lower-case) contains text; "" = the field exists
        body,     // the body contains text
        text,     // the header or the body contains text
        date,     // date_field relation day
        larger,   // RFC822.SIZE > number
        smaller,  // RFC822.SIZE < number
        modseq,   // MODSEQ >= number
        not_,     // children[0]
        or_,      // children[0] or children[1]
        and_,     // all children
    };
    enum class SystemFlag { seen, answered, flagged, deleted, draft };
    enum class DateField { internal, sent };
    enum class DateRelation { before, on, since };

    Kind kind = Kind::all;
    SystemFlag flag = SystemFlag::seen;
    std::string field;
    std::string text;
    std::vector<UidRange> ranges;
    DateField date_field = DateField::internal;
    DateRelation relation = DateRelation::on;
    std::int64_t number = 0;  // day (Unix seconds at 00:00 UTC), size or modseq
    std::vector<SearchNode> children;
};

}  // namespace postimap::storage
