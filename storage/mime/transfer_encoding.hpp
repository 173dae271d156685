// Content-Transfer-Encoding (RFC 2045 section 6), decoded leniently: what
// real mail gets wrong is skipped or kept, never an error.
#pragma once

#include <string>
#include <string_view>

namespace postimap::mime {

// RFC 2045 6.8. Characters outside the alphabet (line breaks, junk) are
// skipped; "=" ends a quantum (so concatenated padded chunks decode); an
// incomplete final quantum keeps its whole bytes.
std::string decode_base64(std::string_view text);

// RFC 4648 section 4 with padding, no line breaks.
std::string encode_base64(std::string_view bytes);

// RFC 2045 6.7. "=XX" (either case) is a byte, "=" before a line break (after
// optional white space) is a soft line break, white space before a line break
// is transport padding and dropped; a "=" that is neither stays as it is.
// Line breaks (CRLF or LF) are kept.
std::string decode_quoted_printable(std::string_view text);

// Decodes by the Content-Transfer-Encoding token (case-insensitive): base64
// and quoted-printable; anything else (7bit, 8bit, binary, unknown) as is.
std::string decode_transfer_encoding(std::string_view body, std::string_view encoding);

}  // namespace postimap::mime
