// UID ranges travel to SQL as two bigint[] parameters (lows, highs), joined
// with unnest(): one query however many ranges a sequence set has.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "storage/types.hpp"

// The ranges $3 (lows) and $4 (highs) as rows r(lo, hi), for statements
// that take them so. Each array is read through a scalar subquery so that
// no plan is made for the values at hand: a custom plan knows how many
// ranges and messages there are, the generic one guesses more and costs
// more, so PostgreSQL planned every execution anew (0.2-0.3 ms of each
// FETCH, STORE and COPY). With the values hidden from both, they cost the
// same and the generic plan is kept.
#define POSTIMAP_UID_RANGE_ROWS "unnest((select $3::bigint[]), (select $4::bigint[])) as r(lo, hi)"

namespace postimap::storage {

inline std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> split_ranges(
    const std::vector<UidRange>& ranges) {
    std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> out;
    out.first.reserve(ranges.size());
    out.second.reserve(ranges.size());
    for (const auto& r : ranges) {
        out.first.push_back(r.first.value);
        out.second.push_back(r.last.value);
    }
    return out;
}

}  // namespace postimap::storage
