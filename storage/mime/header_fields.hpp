// HEADER.FIELDS and HEADER.FIELDS.NOT (RFC 3501 6.4.5): a subset of a header
// block as written (folding kept, line ends made CRLF), ending with the
// blank line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postimap::mime {

// `header` is a header block as written (with its blank line or not).
// Names compare ASCII case-insensitively. With `exclude`, the fields NOT
// named are kept.
std::string select_header_fields(std::string_view header, const std::vector<std::string>& names,
                                 bool exclude);

}  // namespace postimap::mime
