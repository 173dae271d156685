// The readable text of a message body for SEARCH BODY and TEXT (RFC 3501
// 6.4.4), as UTF-8, computed at ingest for a full-text index.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "storage/mime/message.hpp"

namespace postimap::mime {

// Indexing more than this much text of one message gains little and costs
// a lot; SEARCH looks at the beginning of huge bodies only.
inline constexpr std::size_t kSearchTextLimit = std::size_t{1} << 20;

// The text/* leaves of the tree under part, in order, transfer-decoded
// (base64, quoted-printable) and converted from their charset to UTF-8,
// separated by line breaks. An encapsulated message contributes its header
// fields ("Name: value", encoded words decoded) and then its text. Other
// leaves (images, applications) contribute nothing. At most limit bytes,
// cut at a character boundary. raw is the message part was parsed from.
std::string search_text(const Part& part, std::string_view raw,
                        std::size_t limit = kSearchTextLimit);

}  // namespace postimap::mime
