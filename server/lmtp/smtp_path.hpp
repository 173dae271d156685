// The arguments of MAIL FROM and RCPT TO (RFC 5321 4.1.2): a path in angle
// brackets and ESMTP parameters. Text in, values out; no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace postimap::lmtp {

struct PathArgument {
    std::string address;  // without brackets; empty for the null path <>
    // Keywords upper-cased; values as sent (empty when none was given).
    std::map<std::string, std::string> params;
};

// Parses what follows "MAIL FROM:" or "RCPT TO:". Tolerates spaces before
// the path and a path without brackets (senders that skip them), drops a
// source route (<@a,@b:user@host>). nullopt: not a path.
std::optional<PathArgument> parse_path_argument(std::string_view text);

struct RecipientAddress {
    std::string user;    // local@domain with the detail removed, lower-cased
    std::string detail;  // after the delimiter, as sent; empty when none
};

// "Local+detail@domain" -> {"local@domain", "detail"}. nullopt when the
// address has no local part or no domain.
std::optional<RecipientAddress> split_recipient(std::string_view address, char delimiter);

}  // namespace postimap::lmtp
