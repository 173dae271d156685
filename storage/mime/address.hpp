// RFC 5322 section 3.4 address lists (with the obsolete syntax of 4.4), read
// into the four fields of an RFC 3501 ENVELOPE address.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::mime {

// RFC 3501 7.4.2 address: a mailbox has mailbox and host set; a group is a
// start marker (mailbox = group name, host unset) and an end marker (all unset)
// around its members.
struct Address {
    std::optional<std::string> name;     // display name: quotes and quoted pairs removed,
                                         // words joined by one space, encoded words kept
    std::optional<std::string> adl;      // obsolete source route, "@a,@b"
    std::optional<std::string> mailbox;  // local part, quotes removed
    std::optional<std::string> host;     // domain ("[1.2.3.4]" kept as written)
    bool operator==(const Address&) const = default;
};

// Never fails. Comments are dropped, except that for a bare addr-spec a
// comment ("jdoe@example.org (John Doe)") becomes the display name. Empty
// list elements are skipped. Malformed input still yields addresses: a mailbox
// without "@" gets host "" (never unset, which would read as a group start);
// an unterminated group is closed at the end.
std::vector<Address> parse_address_list(std::string_view value);

}  // namespace postimap::mime
