// UIDs written as numbers in tests: uid_list({1, 2, 5}).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "storage/types.hpp"

namespace postimap::test {

inline std::vector<storage::Uid> uid_list(std::initializer_list<std::uint32_t> values) {
    std::vector<storage::Uid> out;
    for (auto v : values)
        out.push_back(storage::Uid{v});
    return out;
}

}  // namespace postimap::test
