#include "storage/mime/message.hpp"

#include "storage/mime/header.hpp"

namespace postimap::mime {
namespace {

// RFC 2046 allows 70; real mail sometimes exceeds it a little.
constexpr std::size_t kMaxBoundary = 200;

enum class Defaults { text_plain, message_rfc822 };

void set_text_plain(Part& part) {
    part.type = "text";
    part.subtype = "plain";
    part.params = {Param{"charset", "us-ascii"}};
}

void apply_content_type(Part& part, const HeaderBlock& header, Defaults defaults) {
    const HeaderField* field = header.find("Content-Type");
    if (!field && defaults == Defaults::message_rfc822) {
        part.type = "message";
        part.subtype = "rfc822";
        return;
    }
    std::optional<ContentType> ct;
    if (field)
        ct = parse_content_type(field->value);
    if (!ct) {
        set_text_plain(part);
        return;
    }
    part.type = std::move(ct->type);
    part.subtype = std::move(ct->subtype);
    part.params = std::move(ct->params);
}

std::optional<std::string> field_value(const HeaderBlock& header, std::string_view name) {
    if (const HeaderField* f = header.find(name))
        return f->value;
    return std::nullopt;
}

void apply_content_fields(Part& part, const HeaderBlock& header, Defaults defaults) {
    apply_content_type(part, header, defaults);
    if (const HeaderField* f = header.find("Content-Transfer-Encoding"))
        part.encoding = parse_transfer_encoding(f->value);
    part.id = field_value(header, "Content-ID");
    part.description = field_value(header, "Content-Description");
    part.md5 = field_value(header, "Content-MD5");
    part.location = field_value(header, "Content-Location");
    if (const HeaderField* f = header.find("Content-Disposition")) {
        if (auto d = parse_content_disposition(f->value)) {
            part.disposition = std::move(d->type);
            part.disposition_params = std::move(d->params);
        }
    }
    if (const HeaderField* f = header.find("Content-Language"))
        part.language = parse_language_list(f->value);
}

std::size_t count_lines(std::string_view body) {
    if (body.empty())
        return 0;
    // memchr per line beats a byte loop by far on mail's short lines.
    std::size_t feeds = 0;
    std::size_t nl = body.find('\n');
    while (nl != std::string_view::npos) {
        ++feeds;
        nl = body.find('\n', nl + 1);
    }
    return body.back() == '\n' ? feeds : feeds + 1;
}

bool is_identity_encoding(std::string_view encoding) {
    return encoding == "7BIT" || encoding == "8BIT" || encoding == "BINARY";
}

bool is_encapsulating(const Part& part) {
    return part.type == "message" && (part.subtype == "rfc822" || part.subtype == "global");
}

// The delimiter line at raw[p] (a line start): where the line ends (after
// its line break) and whether it closes the multipart; nullopt if the line
// is not "--boundary[--]" followed only by white space (RFC 2046 5.1.1).
struct Delimiter {
    std::size_t line_end;
    bool close;
};

std::optional<Delimiter> read_delimiter(std::string_view raw, std::size_t p, std::size_t end,
                                        std::string_view boundary) {
    std::string_view rest = raw.substr(p, end - p);
    if (rest.size() < boundary.size() + 2 || rest[0] != '-' || rest[1] != '-' ||
        rest.compare(2, boundary.size(), boundary) != 0) {
        return std::nullopt;
    }
    std::size_t q = 2 + boundary.size();
    bool close = rest.compare(q, 2, "--") == 0;
    if (close)
        q += 2;
    while (q < rest.size() && (rest[q] == ' ' || rest[q] == '\t'))
        ++q;
    if (q < rest.size() && rest[q] == '\r')
        ++q;
    if (q == rest.size())
        return Delimiter{end, close};
    if (rest[q] != '\n')
        return std::nullopt;
    return Delimiter{p + q + 1, close};
}

// The body parts of a multipart body, between its delimiter lines: the
// preamble and epilogue are dropped, the line break before a delimiter
// belongs to the delimiter, and without a close delimiter the last part runs
// to the end of the body.
std::vector<Range> split_multipart(std::string_view raw, Range body, std::string_view boundary,
                                   std::size_t max_parts) {
    std::vector<Range> out;
    const std::size_t begin = body.offset;
    const std::size_t end = body.offset + body.length;
    const std::string_view region = raw.substr(0, end);  // no line search runs past the body
    std::optional<std::size_t> part_start;
    std::size_t line = begin;
    while (line < end && out.size() < max_parts) {
        std::size_t nl = region.find('\n', line);
        std::size_t next = nl == std::string_view::npos ? end : nl + 1;
        auto delimiter = read_delimiter(raw, line, end, boundary);
        if (!delimiter) {
            line = next;
            continue;
        }
        if (part_start) {
            std::size_t content_end = line;
            if (content_end > *part_start && raw[content_end - 1] == '\n') {
                --content_end;
                if (content_end > *part_start && raw[content_end - 1] == '\r')
                    --content_end;
            }
            out.push_back(Range{*part_start, content_end - *part_start});
        }
        if (delimiter->close)
            return out;
        part_start = delimiter->line_end;
        line = delimiter->line_end;
    }
    if (part_start && out.size() < max_parts)
        out.push_back(Range{*part_start, end - *part_start});
    return out;
}

class Parser {
  public:
    explicit Parser(std::string_view raw) : raw_(raw) {}

    // The entity (header and body) at range; a message when is_message.
    Part parse(Range range, Defaults defaults, bool is_message, unsigned depth) {
        ++parts_;
        Part part;
        const HeaderBlock header = parse_header(range.in(raw_));
        part.header = Range{range.offset, header.header_size};
        part.body = Range{range.offset + header.header_size, range.length - header.header_size};
        apply_content_fields(part, header, defaults);
        part.lines = count_lines(part.body.in(raw_));
        if (is_message)
            part.envelope = make_envelope(header);

        const bool may_nest = depth < kMaxNesting && parts_ < kMaxParts;
        if (part.type == "multipart") {
            if (may_nest)
                split(part, depth);
            if (part.children.empty())
                set_text_plain(part);
        } else if (is_encapsulating(part) && may_nest && is_identity_encoding(part.encoding)) {
            part.children.push_back(parse(part.body, Defaults::text_plain, true, depth + 1));
        }
        return part;
    }

  private:
    void split(Part& part, unsigned depth) {
        const Param* boundary = find_param(part.params, "boundary");
        if (!boundary || boundary->value.empty() || boundary->value.size() > kMaxBoundary)
            return;
        const Defaults defaults =
            part.subtype == "digest" ? Defaults::message_rfc822 : Defaults::text_plain;
        for (const Range& range :
             split_multipart(raw_, part.body, boundary->value, kMaxParts - parts_)) {
            if (parts_ >= kMaxParts)
                break;
            part.children.push_back(parse(range, defaults, false, depth + 1));
        }
    }

    std::string_view raw_;
    std::size_t parts_ = 0;
};

// Part n of a message (RFC 3501 6.4.5): the n-th body part if it is a
// multipart, else for n = 1 the message itself.
const Part* message_part(const Part& message, unsigned n) {
    if (message.is_multipart())
        return n >= 1 && n <= message.children.size() ? &message.children[n - 1] : nullptr;
    return n == 1 ? &message : nullptr;
}

}  // namespace

std::string_view Range::in(std::string_view raw) const {
    if (offset > raw.size())
        return {};
    return raw.substr(offset, length);
}

const Part* Part::encapsulated() const {
    if (is_encapsulating(*this) && children.size() == 1)
        return &children.front();
    return nullptr;
}

Part parse_message(std::string_view raw) {
    return Parser(raw).parse(Range{0, raw.size()}, Defaults::text_plain, true, 0);
}

const Part* find_part(const Part& root, std::span<const unsigned> path) {
    if (path.empty())
        return &root;
    const Part* current = message_part(root, path.front());
    for (unsigned n : path.subspan(1)) {
        if (!current)
            return nullptr;
        if (current->is_multipart()) {
            current = n >= 1 && n <= current->children.size() ? &current->children[n - 1] : nullptr;
        } else if (const Part* message = current->encapsulated()) {
            current = message_part(*message, n);
        } else {
            return nullptr;
        }
    }
    return current;
}

const Part* find_message(const Part& root, std::span<const unsigned> path) {
    if (path.empty())
        return &root;
    const Part* part = find_part(root, path);
    return part ? part->encapsulated() : nullptr;
}

}  // namespace postimap::mime
