// The data items of FETCH (RFC 3501 6.4.5), parsed into a plain struct
// before any storage work.
#pragma once

#include <cstdint>
#include <optional>

#include "server/imap/reader.hpp"

namespace postimap::commands {

struct Partial {
    std::uint32_t origin = 0;
    std::uint32_t length = 0;
};

struct BodyRequest {
    bool peek = false;    // BODY.PEEK leaves \Seen alone
    bool rfc822 = false;  // answered as RFC822 rather than BODY[]
    std::optional<Partial> partial;
};

struct FetchItems {
    bool uid = false;
    bool flags = false;
    bool internal_date = false;
    bool size = false;
    std::optional<BodyRequest> body;  // the whole message (BODY[] / RFC822)

    bool sets_seen() const { return body && !body->peek; }
};

// Reads the fetch items (a macro, one item, or a parenthesized list).
// Throws imap::SyntaxError for malformed or unsupported items.
FetchItems read_fetch_items(imap::Reader& args);

}  // namespace postimap::commands
