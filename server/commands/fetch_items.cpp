#include "server/commands/fetch_items.hpp"

#include "server/imap/response.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace postimap::commands {
namespace {

// section-spec after "[": [section-part ["." section-text]] / section-msgtext
// (RFC 3501 9). `spec` is what the atom held up to a space or "]".
void read_section(imap::Reader& args, std::string_view spec, BodyRequest& body) {
    using Text = BodyRequest::Text;
    std::string name = "[" + std::string(spec);
    while (!spec.empty() && std::isdigit(static_cast<unsigned char>(spec.front()))) {
        unsigned n = 0;
        while (!spec.empty() && std::isdigit(static_cast<unsigned char>(spec.front()))) {
            n = n * 10 + static_cast<unsigned>(spec.front() - '0');
            if (n > 100000)
                throw imap::SyntaxError("Invalid section part number");
            spec.remove_prefix(1);
        }
        if (n == 0)
            throw imap::SyntaxError("Section part numbers start at 1");
        body.part.push_back(n);
        if (spec.empty())
            break;
        if (spec.front() != '.')
            throw imap::SyntaxError("Invalid section");
        spec.remove_prefix(1);
        if (spec.empty())
            throw imap::SyntaxError("Invalid section");
    }
    std::string text = imap::ascii_upper(spec);
    if (text.empty())
        body.text = Text::all;
    else if (text == "HEADER")
        body.text = Text::header;
    else if (text == "TEXT")
        body.text = Text::text;
    else if (text == "MIME" && !body.part.empty())
        body.text = Text::mime;
    else if (text == "HEADER.FIELDS")
        body.text = Text::header_fields;
    else if (text == "HEADER.FIELDS.NOT")
        body.text = Text::header_fields_not;
    else
        throw imap::SyntaxError("Invalid section " + std::string(spec));
    if (body.text == Text::header_fields || body.text == Text::header_fields_not) {
        args.space();
        args.expect('(');
        name += " (";
        for (;;) {
            body.fields.push_back(args.astring());
            if (body.fields.size() > 1)
                name += ' ';
            imap::append_astring(name, imap::ascii_upper(body.fields.back()));
            if (args.accept(')'))
                break;
            args.space();
        }
        name += ")";
    }
    args.expect(']');
    body.response_name = "BODY" + name + "]";
    if (args.accept('<')) {
        Partial p;
        p.origin = args.number();
        args.expect('.');
        p.length = args.nz_number();
        args.expect('>');
        body.partial = p;
    }
}

BodyRequest rfc822(BodyRequest::Text text, bool peek, std::string name) {
    BodyRequest b;
    b.text = text;
    b.peek = peek;
    b.response_name = std::move(name);
    return b;
}

void read_item(imap::Reader& args, FetchItems& items) {
    std::string atom(args.atom());
    std::string name = imap::ascii_upper(atom);
    using Text = BodyRequest::Text;
    if (name == "UID")
        items.uid = true;
    else if (name == "MODSEQ")  // RFC 7162 3.1.4.1
        items.modseq = true;
    else if (name == "FLAGS")
        items.flags = true;
    else if (name == "INTERNALDATE")
        items.internal_date = true;
    else if (name == "RFC822.SIZE")
        items.size = true;
    else if (name == "ENVELOPE")
        items.envelope = true;
    else if (name == "BODYSTRUCTURE")
        items.body_structure = true;
    else if (name == "BODY")
        items.body = true;
    else if (name == "RFC822")
        items.bodies.push_back(rfc822(Text::all, false, "RFC822"));
    else if (name == "RFC822.HEADER")
        items.bodies.push_back(rfc822(Text::header, true, "RFC822.HEADER"));
    else if (name == "RFC822.TEXT")
        items.bodies.push_back(rfc822(Text::text, false, "RFC822.TEXT"));
    else if (name == "FAST")
        items.flags = items.internal_date = items.size = true;
    else if (name == "ALL")
        items.flags = items.internal_date = items.size = items.envelope = true;
    else if (name == "FULL")
        items.flags = items.internal_date = items.size = items.envelope = items.body = true;
    else if (name.starts_with("BODY[") || name.starts_with("BODY.PEEK[")) {
        BodyRequest body;
        body.peek = name.starts_with("BODY.PEEK[");
        read_section(args, std::string_view(atom).substr(atom.find('[') + 1), body);
        items.bodies.push_back(std::move(body));
    } else {
        throw imap::SyntaxError("Unknown FETCH item " + name);
    }
}

}  // namespace

FetchItems read_fetch_items(imap::Reader& args) {
    FetchItems items;
    if (args.accept('(')) {
        for (;;) {
            read_item(args, items);
            if (args.accept(')'))
                break;
            args.space();
        }
    } else {
        read_item(args, items);
    }
    return items;
}

FetchModifiers read_fetch_modifiers(imap::Reader& args) {
    FetchModifiers m;
    if (args.at_end())
        return m;
    args.space();
    args.expect('(');
    do {
        std::string name = imap::ascii_upper(args.atom());
        if (name == "CHANGEDSINCE") {
            args.space();
            m.changed_since = args.number64();
        } else if (name == "VANISHED") {
            m.vanished = true;
        } else {
            throw imap::SyntaxError("Unknown FETCH modifier " + name);
        }
    } while (args.accept(' '));
    args.expect(')');
    if (m.vanished && !m.changed_since)
        throw imap::SyntaxError("VANISHED needs CHANGEDSINCE");
    return m;
}

}  // namespace postimap::commands
