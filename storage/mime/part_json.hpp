// A parsed message (Part tree with envelopes) as JSON for a PostgreSQL jsonb
// column, and back. The round trip is exact: part_from_json(to_json(p)) == p.
//
// Layout (members absent when unset or empty, in this order when written):
//   part:     {"header":[offset,length], "body":[offset,length],
//              "type":T, "subtype":T, "params":[[T,T]...], "id":T,
//              "description":T, "encoding":T, "md5":T, "disposition":T,
//              "disposition_params":[[T,T]...], "language":[T...],
//              "location":T, "lines":N, "envelope":E, "children":[part...]}
//   envelope: {"date":T, "subject":T, "from":[A...], "sender":[A...],
//              "reply_to":[A...], "to":[A...], "cc":[A...], "bcc":[A...],
//              "in_reply_to":T, "message_id":T}
//   address:  [name, adl, mailbox, host], each T or null
//   T:        a JSON string when the bytes are valid UTF-8 without NUL (what
//             jsonb accepts), else {"b64":"<base64 of the bytes>"}, so 8-bit
//             header values survive byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/mime/message.hpp"

namespace postimap::mime {

std::string to_json(const Part& part);

// Nullopt unless the text is valid JSON of the layout above (members may come
// in any order and with any white space, as jsonb gives them back; members
// not in the layout are ignored, so older code reads what newer code wrote).
std::optional<Part> part_from_json(std::string_view text);

// The envelope member of a part alone (what jsonb's structure->'envelope'
// gives), read as part_from_json reads it.
std::optional<Envelope> envelope_from_json(std::string_view text);

}  // namespace postimap::mime
