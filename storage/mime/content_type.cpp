#include "storage/mime/content_type.hpp"

#include <algorithm>
#include <unordered_map>

#include "storage/mime/charset.hpp"
#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

// More sections than this in one RFC 2231 parameter are not mail.
constexpr unsigned kMaxSection = 9999;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

char ascii_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = ascii_lower(c);
    return out;
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

// RFC 2045 token: printable, not a tspecial; 8-bit bytes are let through.
bool is_token_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127)
        return false;
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// A parameter name, read leniently: anything up to "=", ";", a quote, a
// comment or white space.
bool is_name_char(char c) {
    return !is_space(c) && c != '=' && c != ';' && c != '"' && c != '(';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

class Cursor {
  public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    void advance() { ++pos_; }
    std::string_view rest() const { return text_.substr(pos_); }

    bool consume(char c) {
        if (peek() != c || at_end())
            return false;
        ++pos_;
        return true;
    }

    // White space and (nested) comments; an unterminated comment runs to the end.
    void skip_cfws() {
        while (!at_end()) {
            char c = text_[pos_];
            if (is_space(c)) {
                ++pos_;
            } else if (c == '(') {
                skip_comment();
            } else {
                break;
            }
        }
    }

    std::string_view take_while(bool (*pred)(char)) {
        std::size_t begin = pos_;
        while (!at_end() && pred(text_[pos_]))
            ++pos_;
        return text_.substr(begin, pos_ - begin);
    }

    // At a '"': the content with quoted pairs unescaped; runs to the end if
    // the closing quote is missing.
    std::string take_quoted() {
        std::string out;
        ++pos_;
        while (!at_end()) {
            char c = text_[pos_++];
            if (c == '"')
                break;
            if (c == '\\' && !at_end())
                c = text_[pos_++];
            out += c;
        }
        return out;
    }

    // An unquoted value: up to ";", or up to white space that is followed by
    // a comment or by what looks like the next "name=" (a missing ";").
    std::string_view take_unquoted() {
        std::size_t begin = pos_;
        std::size_t end = pos_;
        while (!at_end() && text_[pos_] != ';') {
            if (is_space(text_[pos_])) {
                std::size_t next = pos_;
                while (next < text_.size() && is_space(text_[next]))
                    ++next;
                if (next < text_.size() && (text_[next] == '(' || starts_param(next)))
                    break;
                pos_ = next;
                continue;
            }
            ++pos_;
            end = pos_;
        }
        return text_.substr(begin, end - begin);
    }

  private:
    void skip_comment() {
        int depth = 0;
        while (!at_end()) {
            char c = text_[pos_++];
            if (c == '\\') {
                if (!at_end())
                    ++pos_;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')') {
                if (--depth == 0)
                    return;
            }
        }
    }

    bool starts_param(std::size_t at) const {
        std::size_t k = at;
        while (k < text_.size() && is_name_char(text_[k]))
            ++k;
        if (k == at)
            return false;
        while (k < text_.size() && is_space(text_[k]))
            ++k;
        return k < text_.size() && text_[k] == '=';
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

struct RawParam {
    std::string name;  // lower-cased, with any "*" suffix
    std::string value;
};

std::vector<RawParam> read_raw_params(std::string_view text) {
    std::vector<RawParam> out;
    Cursor c(text);
    while (true) {
        c.skip_cfws();
        while (c.consume(';'))
            c.skip_cfws();
        if (c.at_end())
            break;
        std::string_view name = c.take_while(is_name_char);
        if (name.empty()) {
            // Junk: a stray quoted string or "=".
            if (c.peek() == '"')
                c.take_quoted();
            else
                c.advance();
            continue;
        }
        c.skip_cfws();
        if (!c.consume('='))
            continue;
        c.skip_cfws();
        std::string value = c.peek() == '"' ? c.take_quoted() : std::string(c.take_unquoted());
        out.push_back(RawParam{lower(name), std::move(value)});
    }
    return out;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

struct Section {
    unsigned index = 0;
    bool encoded = false;
    std::string value;
};

// The RFC 2231 reading of a parameter name: "base*" (one encoded section),
// "base*N" or "base*N*". Nullopt for a plain name.
struct ExtendedName {
    std::string_view base;
    unsigned index = 0;
    bool encoded = false;
};

std::optional<ExtendedName> read_extended_name(std::string_view name) {
    std::size_t star = name.find('*');
    if (star == std::string_view::npos || star == 0)
        return std::nullopt;
    ExtendedName ext{name.substr(0, star)};
    std::string_view rest = name.substr(star + 1);
    if (rest.empty()) {
        ext.encoded = true;
        return ext;
    }
    std::size_t digits = 0;
    unsigned index = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
        index = index * 10 + static_cast<unsigned>(rest[digits] - '0');
        if (index > kMaxSection)
            return std::nullopt;
        ++digits;
    }
    if (digits == 0)
        return std::nullopt;
    rest.remove_prefix(digits);
    if (rest == "*") {
        ext.encoded = true;
    } else if (!rest.empty()) {
        return std::nullopt;
    }
    ext.index = index;
    return ext;
}

// Joins sections 0, 1, 2 ... up to the first gap; nullopt without section 0.
std::optional<std::string> join_sections(std::vector<Section>& sections) {
    std::stable_sort(sections.begin(), sections.end(),
                     [](const Section& a, const Section& b) { return a.index < b.index; });
    if (sections.empty() || sections.front().index != 0)
        return std::nullopt;
    std::string charset;
    std::string bytes;
    bool any_encoded = false;
    unsigned expected = 0;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const Section& s = sections[i];
        if (s.index < expected)
            continue;  // a repeated section: the first one counts
        if (s.index != expected)
            break;
        ++expected;
        std::string_view value = s.value;
        if (!s.encoded) {
            bytes += value;
            continue;
        }
        any_encoded = true;
        if (s.index == 0) {
            // charset'language'text (RFC 2231 section 4)
            std::size_t q1 = value.find('\'');
            std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('\'', q1 + 1);
            if (q2 != std::string_view::npos) {
                charset = value.substr(0, q1);
                value.remove_prefix(q2 + 1);
            }
        }
        bytes += percent_decode(value);
    }
    if (!any_encoded)
        return bytes;
    return charset.empty() ? to_valid_utf8(bytes) : charset_to_utf8(bytes, charset);
}

struct ParamGroup {
    std::string name;
    std::optional<std::string> plain;
    std::vector<Section> sections;
};

}  // namespace

const Param* find_param(const Params& params, std::string_view name) {
    for (const auto& p : params) {
        if (iequals(p.name, name))
            return &p;
    }
    return nullptr;
}

Params parse_params(std::string_view text) {
    std::vector<ParamGroup> groups;
    std::unordered_map<std::string, std::size_t> index_of;
    for (auto& raw : read_raw_params(text)) {
        auto ext = read_extended_name(raw.name);
        std::string base = ext ? std::string(ext->base) : raw.name;
        auto [it, inserted] = index_of.try_emplace(base, groups.size());
        if (inserted)
            groups.push_back(ParamGroup{base, std::nullopt, {}});
        ParamGroup& group = groups[it->second];
        if (ext) {
            group.sections.push_back(Section{ext->index, ext->encoded, std::move(raw.value)});
        } else if (!group.plain) {
            group.plain = std::move(raw.value);
        }
    }
    Params out;
    out.reserve(groups.size());
    for (auto& group : groups) {
        std::optional<std::string> value = join_sections(group.sections);
        if (!value)
            value = std::move(group.plain);
        if (value)
            out.push_back(Param{std::move(group.name), std::move(*value)});
    }
    return out;
}

std::optional<ContentType> parse_content_type(std::string_view value) {
    Cursor c(value);
    c.skip_cfws();
    std::string_view type = c.take_while(is_token_char);
    c.skip_cfws();
    if (type.empty() || !c.consume('/'))
        return std::nullopt;
    c.skip_cfws();
    std::string_view subtype = c.take_while(is_token_char);
    if (subtype.empty())
        return std::nullopt;
    return ContentType{lower(type), lower(subtype), parse_params(c.rest())};
}

std::optional<Disposition> parse_content_disposition(std::string_view value) {
    Cursor c(value);
    c.skip_cfws();
    std::string_view type = c.take_while(is_token_char);
    if (type.empty())
        return std::nullopt;
    return Disposition{lower(type), parse_params(c.rest())};
}

std::string parse_transfer_encoding(std::string_view value) {
    Cursor c(value);
    c.skip_cfws();
    std::string token(c.take_while(is_token_char));
    if (token.empty())
        return "7BIT";
    for (char& ch : token)
        ch = ascii_upper(ch);
    return token;
}

std::vector<std::string> parse_language_list(std::string_view value) {
    std::vector<std::string> out;
    Cursor c(value);
    while (true) {
        c.skip_cfws();
        if (c.at_end())
            break;
        std::string_view tag = c.take_while(is_token_char);
        if (!tag.empty())
            out.emplace_back(tag);
        else
            c.advance();  // ",", or a character no tag holds
    }
    return out;
}

}  // namespace postimap::mime
