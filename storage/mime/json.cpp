#include "storage/mime/json.hpp"

#include <unordered_set>

#include "storage/mime/utf8.hpp"

namespace postimap::mime::json {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    std::optional<Value> document() {
        Value v;
        if (!value(v, 0))
            return std::nullopt;
        skip_ws();
        if (pos_ != text_.size())
            return std::nullopt;
        return v;
    }

  private:
    bool at_end() const { return pos_ >= text_.size(); }

    void skip_ws() {
        while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                             text_[pos_] == '\r')) {
            ++pos_;
        }
    }

    bool literal(std::string_view word) {
        if (text_.compare(pos_, word.size(), word) != 0)
            return false;
        pos_ += word.size();
        return true;
    }

    bool value(Value& out, unsigned depth) {
        if (depth > kMaxDepth)
            return false;
        skip_ws();
        if (at_end())
            return false;
        switch (text_[pos_]) {
            case '{':
                out.kind = Value::Kind::object;
                return object(out, depth);
            case '[':
                out.kind = Value::Kind::array;
                return array(out, depth);
            case '"':
                out.kind = Value::Kind::string;
                return string(out.string);
            case 't':
                out.kind = Value::Kind::boolean;
                out.boolean = true;
                return literal("true");
            case 'f':
                out.kind = Value::Kind::boolean;
                return literal("false");
            case 'n':
                out.kind = Value::Kind::null;
                return literal("null");
            default:
                out.kind = Value::Kind::number;
                return number(out.number);
        }
    }

    bool number(std::uint64_t& out) {
        std::size_t begin = pos_;
        out = 0;
        while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
            if (out > (UINT64_MAX - digit) / 10)
                return false;
            out = out * 10 + digit;
            ++pos_;
        }
        std::size_t digits = pos_ - begin;
        if (digits == 0 || (digits > 1 && text_[begin] == '0'))
            return false;
        // A fraction or exponent is valid JSON but never ours.
        return at_end() || (text_[pos_] != '.' && text_[pos_] != 'e' && text_[pos_] != 'E');
    }

    bool hex4(std::uint32_t& out) {
        if (pos_ + 4 > text_.size())
            return false;
        out = 0;
        for (int i = 0; i < 4; ++i) {
            int v = hex_value(text_[pos_++]);
            if (v < 0)
                return false;
            out = out * 16 + static_cast<std::uint32_t>(v);
        }
        return true;
    }

    bool escape(std::string& out) {
        if (at_end())
            return false;
        char c = text_[pos_++];
        switch (c) {
            case '"':
            case '\\':
            case '/':
                out += c;
                return true;
            case 'b':
                out += '\b';
                return true;
            case 'f':
                out += '\f';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'u':
                break;
            default:
                return false;
        }
        std::uint32_t cp = 0;
        if (!hex4(cp) || (cp >= 0xDC00 && cp <= 0xDFFF))
            return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!literal("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF)
                return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
        return true;
    }

    bool string(std::string& out) {
        ++pos_;  // '"'
        std::size_t raw_begin = pos_;
        while (true) {
            if (at_end())
                return false;
            char c = text_[pos_];
            if (c == '"') {
                out.append(text_.substr(raw_begin, pos_ - raw_begin));
                ++pos_;
                break;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return false;
            if (c == '\\') {
                out.append(text_.substr(raw_begin, pos_ - raw_begin));
                ++pos_;
                if (!escape(out))
                    return false;
                raw_begin = pos_;
                continue;
            }
            ++pos_;
        }
        return is_valid_utf8(out);
    }

    bool array(Value& out, unsigned depth) {
        ++pos_;  // '['
        skip_ws();
        if (!at_end() && text_[pos_] == ']') {
            ++pos_;
            return true;
        }
        while (true) {
            out.items.emplace_back();
            if (!value(out.items.back(), depth + 1))
                return false;
            skip_ws();
            if (at_end())
                return false;
            char c = text_[pos_++];
            if (c == ']')
                return true;
            if (c != ',')
                return false;
        }
    }

    bool object(Value& out, unsigned depth) {
        ++pos_;  // '{'
        skip_ws();
        if (!at_end() && text_[pos_] == '}') {
            ++pos_;
            return true;
        }
        // Duplicate keys: our objects have a few members, so a look along
        // them is cheaper than a set per object (which cost more than the
        // rest of the parse); a set takes over for large ones.
        constexpr std::size_t kLinearKeys = 16;
        std::unordered_set<std::string> keys;
        while (true) {
            skip_ws();
            if (at_end() || text_[pos_] != '"')
                return false;
            std::string key;
            if (!string(key))
                return false;
            if (out.members.size() < kLinearKeys) {
                for (const auto& m : out.members)
                    if (m.key == key)
                        return false;
            } else {
                if (keys.empty())
                    for (const auto& m : out.members)
                        keys.insert(m.key);
                if (keys.contains(key))
                    return false;
            }
            skip_ws();
            if (at_end() || text_[pos_++] != ':')
                return false;
            out.members.push_back(Value::Member{std::move(key), Value{}});
            if (!keys.empty())
                keys.insert(out.members.back().key);
            if (!value(out.members.back().value, depth + 1))
                return false;
            skip_ws();
            if (at_end())
                return false;
            char c = text_[pos_++];
            if (c == '}')
                return true;
            if (c != ',')
                return false;
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

const Value* Value::find(std::string_view key) const {
    for (const auto& member : members) {
        if (member.key == key)
            return &member.value;
    }
    return nullptr;
}

std::optional<Value> parse(std::string_view text) {
    return Parser(text).document();
}

void write_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
}

}  // namespace postimap::mime::json
