// Building response bytes. Every string goes through here, so the server
// never emits an invalid one: atoms only when every byte is an ATOM-CHAR,
// quoted strings only for 7-bit text without CR, LF, NUL, and a literal for
// everything else (RFC 3501 4.3 and 9).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postimap::imap {

enum class Status { ok, no, bad, bye, preauth };

// Appends s as a quoted string, or as a literal when quoting cannot carry it.
void append_string(std::string& out, std::string_view s);
// Appends s as an atom when it is one, else as a string (astring).
void append_astring(std::string& out, std::string_view s);
// Appends a mailbox name (UTF-8 inside the server) as the client sees it:
// modified UTF-7, as an astring (RFC 3501 5.1.3).
void append_mailbox(std::string& out, std::string_view utf8);
// Appends NIL or the string.
void append_nstring(std::string& out, const std::optional<std::string>& s);
void append_literal(std::string& out, std::string_view bytes);

// "* <text>\r\n"
std::string untagged(std::string_view text);
// "<tag> <OK|NO|BAD> [<code>] <text>\r\n"; CR and LF in text are dropped.
std::string tagged(std::string_view tag, Status status, std::string_view code,
                   std::string_view text);
// "* <OK|NO|BAD|BYE|PREAUTH> [<code>] <text>\r\n"
std::string untagged_status(Status status, std::string_view code, std::string_view text);

}  // namespace postimap::imap
