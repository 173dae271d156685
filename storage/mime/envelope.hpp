// The RFC 3501 7.4.2 ENVELOPE of a message, from its header.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/mime/address.hpp"
#include "storage/mime/header.hpp"

namespace postimap::mime {

// Unset strings and empty lists are NIL. Strings are the header values as
// parse_header gives them (unfolded, encoded words not decoded: IMAP sends
// them as written), so they may hold 8-bit bytes.
struct Envelope {
    std::optional<std::string> date;
    std::optional<std::string> subject;
    std::vector<Address> from;
    std::vector<Address> sender;
    std::vector<Address> reply_to;
    std::vector<Address> to;
    std::vector<Address> cc;
    std::vector<Address> bcc;
    std::optional<std::string> in_reply_to;
    std::optional<std::string> message_id;
    bool operator==(const Envelope&) const = default;
};

// The first field of each name counts. Sender and Reply-To default to From
// when absent or empty, as RFC 3501 requires of the server.
Envelope make_envelope(const HeaderBlock& header);

}  // namespace postimap::mime
