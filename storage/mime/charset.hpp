// Text in a MIME charset (RFC 2046 4.1.2, RFC 2047, RFC 2231) to UTF-8, with
// glibc's iconv. Pure: no state survives a call.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postimap::mime {

// Converts bytes labelled with a charset name (case-insensitive, with a few
// common mislabels mapped: ISO-8859-1 and US-ASCII are read as Windows-1252
// and UTF-8 respectively, as mail readers do) to valid UTF-8 without NUL.
// Bytes the charset cannot decode become U+FFFD. Nullopt when the charset is
// unknown (or is not a charset name at all, e.g. "unknown-8bit").
std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset);

// convert_to_utf8, falling back to to_valid_utf8 for an unknown charset.
std::string charset_to_utf8(std::string_view bytes, std::string_view charset);

}  // namespace postimap::mime
