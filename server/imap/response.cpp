#include "server/imap/response.hpp"

#include "server/imap/mailbox_name.hpp"
#include "server/imap/reader.hpp"

namespace postimap::imap {
namespace {

bool quotable(std::string_view s) {
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u == 0 || u == '\r' || u == '\n' || u >= 0x80)
            return false;
    }
    return true;
}

const char* status_word(Status s) {
    switch (s) {
        case Status::ok:
            return "OK";
        case Status::no:
            return "NO";
        case Status::bad:
            return "BAD";
        case Status::bye:
            return "BYE";
        case Status::preauth:
            return "PREAUTH";
    }
    return "BAD";
}

void append_status(std::string& out, Status status, std::string_view code, std::string_view text) {
    out += status_word(status);
    out += ' ';
    if (!code.empty()) {
        out += '[';
        out += code;
        out += "] ";
    }
    for (char c : text)
        if (c != '\r' && c != '\n')
            out += c;
    out += "\r\n";
}

}  // namespace

void append_literal(std::string& out, std::string_view bytes) {
    out += '{';
    out += std::to_string(bytes.size());
    out += "}\r\n";
    out.append(bytes);
}

void append_string(std::string& out, std::string_view s) {
    if (!quotable(s)) {
        append_literal(out, s);
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

void append_astring(std::string& out, std::string_view s) {
    bool atom = !s.empty();
    for (char c : s)
        atom = atom && (is_atom_char(c) || c == ']');
    // "NIL" in any case would read as nil where an nstring is allowed.
    auto is_nil =
        s.size() == 3 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'l';
    if (atom && !is_nil) {
        out.append(s);
        return;
    }
    append_string(out, s);
}

void append_mailbox(std::string& out, std::string_view utf8) {
    append_astring(out, encode_mutf7(utf8));
}

void append_nstring(std::string& out, const std::optional<std::string>& s) {
    if (!s) {
        out += "NIL";
        return;
    }
    append_string(out, *s);
}

std::string untagged(std::string_view text) {
    std::string out = "* ";
    out.append(text);
    out += "\r\n";
    return out;
}

std::string tagged(std::string_view tag, Status status, std::string_view code,
                   std::string_view text) {
    std::string out(tag);
    out += ' ';
    append_status(out, status, code, text);
    return out;
}

std::string untagged_status(Status status, std::string_view code, std::string_view text) {
    std::string out = "* ";
    append_status(out, status, code, text);
    return out;
}

}  // namespace postimap::imap
