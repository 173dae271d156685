#include "server/commands/structure_writer.hpp"

#include <algorithm>
#include <cctype>

#include "server/imap/reader.hpp"
#include "server/imap/response.hpp"

namespace postimap::commands {
namespace {

void append_nstring(std::string& out, const std::optional<std::string>& s) {
    imap::append_nstring(out, s);
}

void append_addresses(std::string& out, const std::vector<mime::Address>& list) {
    if (list.empty()) {
        out += "NIL";
        return;
    }
    out += '(';
    for (const auto& a : list) {
        out += '(';
        append_nstring(out, a.name);
        out += ' ';
        append_nstring(out, a.adl);
        out += ' ';
        append_nstring(out, a.mailbox);
        out += ' ';
        append_nstring(out, a.host);
        out += ')';
    }
    out += ')';
}

void append_params(std::string& out, const mime::Params& params) {
    if (params.empty()) {
        out += "NIL";
        return;
    }
    out += '(';
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (i)
            out += ' ';
        imap::append_string(out, imap::ascii_upper(params[i].name));
        out += ' ';
        imap::append_string(out, params[i].value);
    }
    out += ')';
}

void append_disposition(std::string& out, const mime::Part& part) {
    if (!part.disposition) {
        out += "NIL";
        return;
    }
    out += '(';
    imap::append_string(out, imap::ascii_upper(*part.disposition));
    out += ' ';
    append_params(out, part.disposition_params);
    out += ')';
}

void append_language(std::string& out, const std::vector<std::string>& language) {
    if (language.empty()) {
        out += "NIL";
    } else if (language.size() == 1) {
        imap::append_string(out, language.front());
    } else {
        out += '(';
        for (std::size_t i = 0; i < language.size(); ++i) {
            if (i)
                out += ' ';
            imap::append_string(out, language[i]);
        }
        out += ')';
    }
}

// The extension data both part shapes end with: disposition, language,
// location (RFC 3501 7.4.2).
void append_common_extension(std::string& out, const mime::Part& part) {
    out += ' ';
    append_disposition(out, part);
    out += ' ';
    append_language(out, part.language);
    out += ' ';
    append_nstring(out, part.location);
}

void append_single(std::string& out, const mime::Part& part, bool extensible) {
    out += '(';
    imap::append_string(out, imap::ascii_upper(part.type));
    out += ' ';
    imap::append_string(out, imap::ascii_upper(part.subtype));
    out += ' ';
    append_params(out, part.params);
    out += ' ';
    append_nstring(out, part.id);
    out += ' ';
    append_nstring(out, part.description);
    out += ' ';
    imap::append_string(out, part.encoding);
    out += ' ' + std::to_string(part.body.length);
    if (part.type == "message" && part.subtype == "rfc822") {
        // body-type-msg (RFC 3501 9) needs envelope, body and lines. A part
        // we could not open (say, base64-encoded) gets empty ones, as
        // Dovecot does, so clients can still parse the answer.
        out += ' ';
        const mime::Part* message = part.encapsulated();
        if (message && message->envelope) {
            append_envelope(out, *message->envelope);
            out += ' ';
            append_body_structure(out, *message, extensible);
        } else {
            out +=
                "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL "
                "\"7BIT\" 0 0";
            out += extensible ? " NIL NIL NIL NIL)" : ")";
        }
        out += ' ' + std::to_string(part.lines);
    } else if (part.type == "text") {
        out += ' ' + std::to_string(part.lines);
    }
    if (extensible) {
        out += ' ';
        append_nstring(out, part.md5);
        append_common_extension(out, part);
    }
    out += ')';
}

}  // namespace

void append_envelope(std::string& out, const mime::Envelope& e) {
    out += '(';
    append_nstring(out, e.date);
    out += ' ';
    append_nstring(out, e.subject);
    for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
        out += ' ';
        append_addresses(out, *list);
    }
    out += ' ';
    append_nstring(out, e.in_reply_to);
    out += ' ';
    append_nstring(out, e.message_id);
    out += ')';
}

void append_body_structure(std::string& out, const mime::Part& part, bool extensible) {
    if (!part.is_multipart()) {
        append_single(out, part, extensible);
        return;
    }
    out += '(';
    for (const auto& child : part.children)
        append_body_structure(out, child, extensible);
    out += ' ';
    imap::append_string(out, imap::ascii_upper(part.subtype));
    if (extensible) {
        out += ' ';
        append_params(out, part.params);
        append_common_extension(out, part);
    }
    out += ')';
}

}  // namespace postimap::commands
