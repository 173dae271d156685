#include "storage/mime/envelope.hpp"

namespace postimap::mime {
namespace {

std::optional<std::string> text_field(const HeaderBlock& header, std::string_view name) {
    if (const HeaderField* f = header.find(name))
        return f->value;
    return std::nullopt;
}

std::vector<Address> address_field(const HeaderBlock& header, std::string_view name) {
    if (const HeaderField* f = header.find(name))
        return parse_address_list(f->value);
    return {};
}

}  // namespace

Envelope make_envelope(const HeaderBlock& header) {
    Envelope e;
    e.date = text_field(header, "Date");
    e.subject = text_field(header, "Subject");
    e.from = address_field(header, "From");
    e.sender = address_field(header, "Sender");
    e.reply_to = address_field(header, "Reply-To");
    e.to = address_field(header, "To");
    e.cc = address_field(header, "Cc");
    e.bcc = address_field(header, "Bcc");
    e.in_reply_to = text_field(header, "In-Reply-To");
    e.message_id = text_field(header, "Message-ID");
    if (e.sender.empty())
        e.sender = e.from;
    if (e.reply_to.empty())
        e.reply_to = e.from;
    return e;
}

}  // namespace postimap::mime
