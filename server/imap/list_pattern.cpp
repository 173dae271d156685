#include "server/imap/list_pattern.hpp"

#include <cctype>
#include <vector>

namespace postimap::imap {

bool list_pattern_matches(std::string_view pattern, std::string_view name, char delimiter) {
    // matched[j]: pattern[0, i) matches name[0, j). O(|pattern| * |name|),
    // so no pattern can make this exponential.
    std::vector<char> matched(name.size() + 1, 0), next(name.size() + 1, 0);
    matched[0] = 1;
    for (char p : pattern) {
        std::fill(next.begin(), next.end(), 0);
        if (p == '*' || p == '%') {
            bool reach = false;
            for (std::size_t j = 0; j <= name.size(); ++j) {
                if (matched[j])
                    reach = true;
                next[j] = reach;
                // "%" stops at a delimiter: nothing beyond it is reachable
                // unless matched anew.
                if (p == '%' && j < name.size() && name[j] == delimiter)
                    reach = false;
            }
        } else {
            for (std::size_t j = 0; j < name.size(); ++j)
                if (matched[j] && name[j] == p)
                    next[j + 1] = 1;
        }
        matched.swap(next);
    }
    return matched[name.size()] != 0;
}

std::string canonical_list_pattern(std::string_view reference, std::string_view pattern) {
    std::string out(reference);
    out.append(pattern);
    if (out.size() >= 5) {
        bool inbox = true;
        for (std::size_t i = 0; i < 5; ++i)
            inbox = inbox && std::toupper(static_cast<unsigned char>(out[i])) == "INBOX"[i];
        if (inbox && (out.size() == 5 || out[5] == kHierarchyDelimiter))
            out.replace(0, 5, "INBOX");
    }
    return out;
}

}  // namespace postimap::imap
