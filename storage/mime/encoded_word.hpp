// RFC 2047 encoded words ("=?charset?Q?text?=") in header text, decoded to
// UTF-8 for SEARCH. FETCH never uses this: IMAP sends header values as written.
#pragma once

#include <string>
#include <string_view>

namespace postimap::mime {

// Decodes every well-formed encoded word (B or Q, either case; a charset
// may carry an RFC 2231 "*language" suffix) and drops the white space between
// two adjacent encoded words (RFC 2047 6.2). Adjacent words in the same
// charset are converted together, so a character split across them survives.
// Leniently, encoded words are also recognised inside other text and quoted
// strings, as mail readers do. Text outside encoded words is taken as UTF-8
// (RFC 6532); the result is always valid UTF-8 without NUL. A word in an
// unknown charset yields its decoded bytes made valid UTF-8.
std::string decode_header_text(std::string_view text);

}  // namespace postimap::mime
