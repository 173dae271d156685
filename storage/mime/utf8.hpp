// PostgreSQL text columns accept only valid UTF-8 without NUL; mail headers
// carry raw 8-bit bytes of any charset. This makes any bytes storable.
#pragma once

#include <string>
#include <string_view>

namespace postimap::mime {

// Valid UTF-8 sequences pass through; each byte of an invalid sequence
// becomes U+FFFD; NUL bytes are dropped.
std::string to_valid_utf8(std::string_view bytes);

// True if the bytes are well-formed UTF-8 (the same rules: no overlong forms,
// surrogates or values above U+10FFFF). NUL is valid UTF-8.
bool is_valid_utf8(std::string_view bytes);

}  // namespace postimap::mime
