#include "storage/mime/header.hpp"

namespace postimap::mime {
namespace {

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    }
    return true;
}

// RFC 5322 ftext: printable US-ASCII except the colon (split on already).
bool is_field_name(std::string_view name) {
    if (name.empty())
        return false;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126)
            return false;
    }
    return true;
}

void trim(std::string& s) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    std::size_t end = s.size();
    while (end > 0 && is_space(s[end - 1]))
        --end;
    std::size_t begin = 0;
    while (begin < end && is_space(s[begin]))
        ++begin;
    s.erase(end);
    s.erase(0, begin);
}

}  // namespace

const HeaderField* HeaderBlock::find(std::string_view name) const {
    for (const auto& field : fields) {
        if (iequals(field.name, name))
            return &field;
    }
    return nullptr;
}

HeaderBlock parse_header(std::string_view raw) {
    HeaderBlock block;
    block.header_size = raw.size();

    std::size_t pos = 0;
    // True while continuation lines belong to block.fields.back().
    bool in_field = false;
    bool first_line = true;
    while (pos < raw.size()) {
        std::size_t nl = raw.find('\n', pos);
        bool has_nl = nl != std::string_view::npos;
        std::size_t end = has_nl ? nl : raw.size();
        std::size_t next = has_nl ? nl + 1 : raw.size();
        std::string_view line = raw.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        pos = next;

        if (first_line) {
            first_line = false;
            if (line.starts_with("From "))
                continue;  // mbox separator
        }
        if (line.empty()) {
            if (has_nl) {
                block.header_size = next;
                break;
            }
            continue;  // a lone CR at the very end: not an empty line
        }
        if (is_wsp(line.front())) {
            if (in_field)
                block.fields.back().value.append(line);
            continue;
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            in_field = false;
            continue;
        }
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && is_wsp(name.back()))
            name.remove_suffix(1);
        if (!is_field_name(name)) {
            in_field = false;
            continue;
        }
        block.fields.push_back(HeaderField{std::string(name), std::string(line.substr(colon + 1))});
        in_field = true;
    }

    for (auto& field : block.fields)
        trim(field.value);
    return block;
}

}  // namespace postimap::mime
