// Keywords travel from SQL as one space-separated text cell
// (array_to_string(keywords, ' ')): IMAP keywords are atoms, never spaces.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postimap::storage {

inline std::vector<std::string> split_keywords(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(' ', start);
        if (end == std::string_view::npos)
            end = text.size();
        if (end > start)
            out.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace postimap::storage
