#include "server/commands/fetch_items.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace postimap::commands {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

void read_body_section(imap::Reader& args, BodyRequest& body) {
    // Only the empty section (the whole message) is served so far.
    if (!args.accept(']'))
        throw imap::SyntaxError("Only BODY[] is supported so far, not sections");
    if (args.accept('<')) {
        Partial p;
        p.origin = args.number();
        args.expect('.');
        p.length = args.nz_number();
        args.expect('>');
        body.partial = p;
    }
}

void read_item(imap::Reader& args, FetchItems& items) {
    std::string name = upper(args.atom());
    if (name == "UID")
        items.uid = true;
    else if (name == "FLAGS")
        items.flags = true;
    else if (name == "INTERNALDATE")
        items.internal_date = true;
    else if (name == "RFC822.SIZE")
        items.size = true;
    else if (name == "RFC822")
        items.body = BodyRequest{false, true, std::nullopt};
    else if (name == "FAST")
        items.flags = items.internal_date = items.size = true;
    else if (name == "BODY[" || name == "BODY.PEEK[") {
        BodyRequest body;
        body.peek = name == "BODY.PEEK[";
        read_body_section(args, body);
        items.body = body;
    } else {
        throw imap::SyntaxError("Unknown or unsupported FETCH item " + name);
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

}  // namespace postimap::commands
