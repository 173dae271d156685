// LIST wildcards, RFC 3501 6.3.8: "*" matches any characters, "%" any
// characters but the hierarchy delimiter.
#pragma once

#include <string>
#include <string_view>

namespace postimap::imap {

constexpr char kHierarchyDelimiter = '/';

bool list_pattern_matches(std::string_view pattern, std::string_view name,
                          char delimiter = kHierarchyDelimiter);

// Joins a LIST reference and pattern into one pattern, and spells a leading
// "inbox" (any case) as "INBOX", since INBOX is case-insensitive.
std::string canonical_list_pattern(std::string_view reference, std::string_view pattern);

}  // namespace postimap::imap
