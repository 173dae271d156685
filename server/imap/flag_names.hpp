// Flags between their IMAP spelling (\Seen, $Junk) and storage::Flags.
#pragma once

#include <string>
#include <vector>

#include "storage/types.hpp"

namespace postimap::imap {

// Throws imap::SyntaxError for \Recent, \* or an unknown \-flag (flags a
// client may not set, RFC 3501 6.4.6).
storage::Flags parse_settable_flags(const std::vector<std::string>& names);
// "\Seen \Flagged $Junk", in a fixed order, keywords last; \Recent
// (session state, never stored) when asked.
std::string format_flags(const storage::Flags& flags, bool recent = false);
// The FLAGS list of SELECT: system flags and the keywords in use.
std::string format_defined_flags(const std::vector<std::string>& keywords);

}  // namespace postimap::imap
