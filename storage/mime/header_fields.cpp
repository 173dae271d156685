#include "storage/mime/header_fields.hpp"

#include <algorithm>
#include <cctype>

namespace postimap::mime {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view field_name(std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
        return {};
    auto name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
        name.remove_suffix(1);
    return name;
}

}  // namespace

std::string select_header_fields(std::string_view header, const std::vector<std::string>& names,
                                 bool exclude) {
    std::string out;
    bool keep = false;
    bool ended = false;  // by a blank line; a message without body may have none
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto end = header.find('\n', pos);
        std::size_t next = end == std::string_view::npos ? header.size() : end + 1;
        std::string_view line = header.substr(pos, next - pos);
        std::string_view content = line;
        while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
            content.remove_suffix(1);
        if (content.empty()) {
            ended = true;  // the blank line that ends the header
            break;
        }
        if (content.front() != ' ' && content.front() != '\t') {
            auto name = field_name(content);
            bool named = !name.empty() &&
                         std::any_of(names.begin(), names.end(),
                                     [&](const std::string& n) { return iequals(n, name); });
            keep = !name.empty() && named != exclude;
        }
        if (keep) {
            out.append(content);
            out += "\r\n";
        }
        pos = next;
    }
    if (ended)
        out += "\r\n";
    return out;
}

}  // namespace postimap::mime
