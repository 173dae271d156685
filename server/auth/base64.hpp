// RFC 4648 base64 (standard alphabet, padded, no line breaks): SCRAM
// secrets and SASL exchanges.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postimap::auth {

std::string base64_encode(std::string_view bytes);
// Strict: length a multiple of 4, only the alphabet, '=' only as padding at
// the end. Nothing for anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postimap::auth
