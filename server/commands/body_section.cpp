#include "server/commands/body_section.hpp"

#include "storage/mime/header_fields.hpp"

namespace postimap::commands {

std::string section_bytes(std::string_view raw, const mime::Part& root,
                          const BodyRequest& request) {
    using Text = BodyRequest::Text;
    if (request.part.empty() && request.text == Text::all)
        return std::string(raw);
    if (request.text == Text::all || request.text == Text::mime) {
        const mime::Part* part = mime::find_part(root, request.part);
        if (!part)
            return {};
        return std::string((request.text == Text::mime ? part->header : part->body).in(raw));
    }
    // HEADER, HEADER.FIELDS, TEXT: of the message itself, or of the message
    // a message/rfc822 part holds.
    const mime::Part* message =
        request.part.empty() ? &root : mime::find_message(root, request.part);
    if (!message)
        return {};
    std::string_view header = message->header.in(raw);
    switch (request.text) {
        case Text::header:
            return std::string(header);
        case Text::text:
            return std::string(message->body.in(raw));
        case Text::header_fields:
            return mime::select_header_fields(header, request.fields, false);
        case Text::header_fields_not:
            return mime::select_header_fields(header, request.fields, true);
        default:
            return {};
    }
}

}  // namespace postimap::commands
