// UID ranges travel to SQL as two bigint[] parameters (lows, highs), joined
// with unnest(): one query however many ranges a sequence set has.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "storage/types.hpp"

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
