#include "storage/mime/address.hpp"

#include <span>

namespace postimap::mime {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_special(char c) {
    return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':';
}

bool is_word_char(char c) {
    return !is_space(c) && !is_special(c) && c != '(' && c != '"' && c != '[';
}

enum class Kind { word, quoted, literal, special, comment };

struct Token {
    Kind kind;
    std::string text;   // quoted string and comment: content, quoted pairs removed
    bool space_before;  // white space or a comment came before it
};

bool is_special(const Token& t, char c) {
    return t.kind == Kind::special && t.text[0] == c;
}

class Tokenizer {
  public:
    explicit Tokenizer(std::string_view text) : text_(text) {}

    std::vector<Token> run() {
        std::vector<Token> out;
        bool space = false;
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (is_space(c)) {
                space = true;
                ++pos_;
                continue;
            }
            if (c == '(') {
                out.push_back(Token{Kind::comment, comment(), space});
                space = true;
                continue;
            }
            if (c == '"') {
                out.push_back(Token{Kind::quoted, quoted(), space});
            } else if (c == '[') {
                out.push_back(Token{Kind::literal, literal(), space});
            } else if (is_special(c)) {
                out.push_back(Token{Kind::special, std::string(1, c), space});
                ++pos_;
            } else {
                std::size_t begin = pos_;
                while (pos_ < text_.size() && is_word_char(text_[pos_]))
                    ++pos_;
                out.push_back(
                    Token{Kind::word, std::string(text_.substr(begin, pos_ - begin)), space});
            }
            space = false;
        }
        return out;
    }

  private:
    // Content between the outer parentheses; nested ones kept.
    std::string comment() {
        std::string out;
        int depth = 0;
        while (pos_ < text_.size()) {
            char c = text_[pos_++];
            if (c == '\\' && pos_ < text_.size()) {
                out += text_[pos_++];
                continue;
            }
            if (c == '(' && depth++ == 0)
                continue;
            if (c == ')' && --depth == 0)
                break;
            out += c;
        }
        return out;
    }

    std::string quoted() {
        std::string out;
        ++pos_;
        while (pos_ < text_.size()) {
            char c = text_[pos_++];
            if (c == '"')
                break;
            if (c == '\\' && pos_ < text_.size())
                c = text_[pos_++];
            out += c;
        }
        return out;
    }

    std::string literal() {
        std::size_t begin = pos_;
        std::size_t close = text_.find(']', pos_);
        pos_ = close == std::string_view::npos ? text_.size() : close + 1;
        return std::string(text_.substr(begin, pos_ - begin));
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

using Tokens = std::span<const Token>;

// Words as a phrase: one space wherever white space or a comment separated
// them; comments themselves dropped. Nullopt when empty.
std::optional<std::string> phrase(Tokens tokens) {
    std::string out;
    for (const auto& t : tokens) {
        if (t.kind == Kind::comment)
            continue;
        if (t.space_before && !out.empty())
            out += ' ';
        out += t.text;
    }
    if (out.empty())
        return std::nullopt;
    return out;
}

// Tokens run together (local parts and domains: "a . b" is "a.b").
std::string tight(Tokens tokens) {
    std::string out;
    for (const auto& t : tokens) {
        if (t.kind != Kind::comment)
            out += t.text;
    }
    return out;
}

std::size_t find_special(Tokens tokens, char c) {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (is_special(tokens[i], c))
            return i;
    }
    return tokens.size();
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

bool has_content(Tokens tokens) {
    for (const auto& t : tokens) {
        if (t.kind != Kind::comment)
            return true;
    }
    return false;
}

// local-part "@" domain into mailbox and host; without "@" the words are
// the mailbox and the host is "".
void read_addr_spec(Tokens tokens, Address& out) {
    std::size_t at = find_special(tokens, '@');
    if (at == tokens.size()) {
        out.mailbox = phrase(tokens).value_or("");
        out.host = "";
        return;
    }
    out.mailbox = tight(tokens.subspan(0, at));
    out.host = tight(tokens.subspan(at + 1));
}

// name-addr or addr-spec; nullopt for an element with nothing in it.
std::optional<Address> read_mailbox(Tokens tokens) {
    if (!has_content(tokens))
        return std::nullopt;
    Address out;
    std::size_t lt = find_special(tokens, '<');
    if (lt == tokens.size()) {
        read_addr_spec(tokens, out);
        for (const auto& t : tokens) {
            if (t.kind == Kind::comment) {
                if (auto name = trimmed(t.text); !name.empty())
                    out.name = std::string(name);  // the last comment names a bare addr-spec
            }
        }
        return out;
    }
    out.name = phrase(tokens.subspan(0, lt));
    Tokens inner = tokens.subspan(lt + 1);
    inner = inner.subspan(0, find_special(inner, '>'));
    // obs-route: "@a,@b:" before the addr-spec
    std::size_t colon = inner.size();
    for (std::size_t i = 0; i < inner.size(); ++i) {
        if (is_special(inner[i], ':'))
            colon = i;
    }
    if (colon < inner.size()) {
        std::string route = tight(inner.subspan(0, colon));
        if (!route.empty())
            out.adl = std::move(route);
        inner = inner.subspan(colon + 1);
    }
    if (!has_content(inner) && !out.name)
        return std::nullopt;  // "<>"
    read_addr_spec(inner, out);
    return out;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) {
    const std::vector<Token> all = Tokenizer(value).run();
    const Tokens tokens(all);
    std::vector<Address> out;
    bool in_group = false;
    int angle = 0;
    std::size_t start = 0;
    auto flush = [&](std::size_t end) {
        if (auto address = read_mailbox(tokens.subspan(start, end - start)))
            out.push_back(std::move(*address));
        start = end + 1;
    };
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token& t = tokens[i];
        if (t.kind != Kind::special)
            continue;
        char c = t.text[0];
        if (c == '<') {
            ++angle;
        } else if (c == '>') {
            angle = angle > 0 ? angle - 1 : 0;
        } else if (angle > 0) {
            continue;  // "," and ":" of a route inside "<...>"
        } else if (c == ',') {
            flush(i);
        } else if (c == ';') {
            flush(i);
            if (in_group)
                out.push_back(Address{});
            in_group = false;
        } else if (c == ':' && !in_group) {
            Address group;
            group.mailbox = phrase(tokens.subspan(start, i - start)).value_or("");
            out.push_back(std::move(group));
            in_group = true;
            start = i + 1;
        }
    }
    flush(tokens.size());
    if (in_group)
        out.push_back(Address{});
    return out;
}

}  // namespace postimap::mime
