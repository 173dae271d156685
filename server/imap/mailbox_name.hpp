// Mailbox names between the wire and storage. IMAP4rev1 clients send names in modified UTF-7
// (RFC 3501 5.1.3); storage keeps them as UTF-8, which is what PostgreSQL text holds and what
// IMAP4rev2 / UTF8=ACCEPT clients send directly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "server/imap/list_pattern.hpp"

namespace postimap::imap {

// Modified UTF-7 to UTF-8. Accepts only the one canonical spelling of each name, so that two
// spellings never name two mailboxes: nullopt for any byte outside 0x20-0x7e, an "&" shift
// without its "-" or with nothing in it other than "&-" itself, a shift that directly follows
// another ("-&", RFC 3501's forbidden null shift), a character outside the modified base64
// alphabet (A-Z a-z 0-9 + ,), a base64 run whose length leaves a whole sixth character or
// non-zero padding bits, a shifted character that could have been written directly
// (0x20-0x7e, "&" included), and an unpaired UTF-16 surrogate. Shifted control characters
// (U+0000 too) decode; validate_mailbox_name() is what refuses them.
std::optional<std::string> decode_mutf7(std::string_view wire);

// UTF-8 to the canonical modified UTF-7, so decode_mutf7(encode_mutf7(s)) == s for valid UTF-8
// and encode_mutf7(*decode_mutf7(w)) == w whenever w decodes. Each byte of an invalid UTF-8
// sequence (overlong, surrogate, above U+10FFFF, truncated) is encoded as U+FFFD.
std::string encode_mutf7(std::string_view utf8);

constexpr std::size_t kMaxMailboxNameBytes = 1024;
constexpr std::size_t kMaxMailboxLevelBytes = 255;

// Why a UTF-8 name (after decode_mutf7) cannot be a mailbox, or nullopt when it can: empty,
// not valid UTF-8, an empty hierarchy level (a leading, doubled or trailing delimiter: CREATE
// strips trailing delimiters before asking), a control character (C0, DEL or C1), more than
// kMaxMailboxNameBytes bytes, or a level of more than kMaxMailboxLevelBytes bytes. The text is
// fit for a tagged NO and never repeats the name.
std::optional<std::string> validate_mailbox_name(std::string_view utf8,
                                                 char delimiter = kHierarchyDelimiter);

}  // namespace postimap::imap
