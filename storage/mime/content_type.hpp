// The structured MIME header fields (RFC 2045, RFC 2183, RFC 3282):
// Content-Type and Content-Disposition with their parameters (RFC 2231
// continuations and charsets decoded), Content-Transfer-Encoding,
// Content-Language. Lenient: comments anywhere, missing semicolons, unquoted
// values with special characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::mime {

struct Param {
    std::string name;   // lower-cased; without RFC 2231 "*" suffixes
    std::string value;  // unquoted; RFC 2231 values decoded to UTF-8, others as written
    bool operator==(const Param&) const = default;
};
using Params = std::vector<Param>;

// The first parameter with this name (ASCII case-insensitive), or nullptr.
const Param* find_param(const Params& params, std::string_view name);

struct ContentType {
    std::string type;     // lower-cased
    std::string subtype;  // lower-cased
    Params params;
};

// "type/subtype *(; attribute=value)". Nullopt if there is no type/subtype
// (RFC 2045 5.2: the caller then assumes text/plain; charset=us-ascii).
std::optional<ContentType> parse_content_type(std::string_view value);

struct Disposition {
    std::string type;  // lower-cased
    Params params;
};

// "type *(; attribute=value)" (RFC 2183); nullopt if there is no type token.
std::optional<Disposition> parse_content_disposition(std::string_view value);

// The parameter list that follows a value: "; a=1; b*=utf-8''%C3%A9".
// Parameters appear in the order of their first section; when both an
// RFC 2231 form and a plain form of a name are present, the RFC 2231 one wins.
// Continuations (name*0, name*1 ...) join up to the first missing section.
Params parse_params(std::string_view text);

// The Content-Transfer-Encoding token upper-cased ("BASE64"); comments and
// white space dropped; "7BIT" when empty.
std::string parse_transfer_encoding(std::string_view value);

// Content-Language (RFC 3282): the comma-separated tags, comments dropped.
std::vector<std::string> parse_language_list(std::string_view value);

}  // namespace postimap::mime
