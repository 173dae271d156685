#include "server/imap/reader.hpp"

#include "server/imap/mailbox_name.hpp"

#include <algorithm>
#include <cctype>

namespace postimap::imap {
namespace {

bool is_ctl(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

bool is_list_wildcard(char c) {
    return c == '%' || c == '*';
}

}  // namespace

bool is_atom_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || is_ctl(u) || u == ' ')
        return false;
    return std::string_view("(){%*\"\\]").find(c) == std::string_view::npos;
}

void Reader::fail(const std::string& what) const {
    throw SyntaxError(what);
}

void Reader::expect_end() const {
    if (!at_end())
        fail("Unexpected extra arguments");
}

bool Reader::accept(char c) {
    if (!peek(c))
        return false;
    ++pos_;
    return true;
}

void Reader::expect(char c) {
    if (!accept(c)) {
        if (c == ' ')
            fail(at_end() ? "Missing arguments" : "Expected a space");
        fail(std::string("Expected '") + c + "'");
    }
}

std::string_view Reader::tag() {
    // tag = 1*<any ASTRING-CHAR except "+"> (RFC 3501 9)
    std::size_t start = pos_;
    while (pos_ < text_.size() && (is_atom_char(text_[pos_]) || text_[pos_] == ']') &&
           text_[pos_] != '+')
        ++pos_;
    if (pos_ == start)
        fail("Missing or invalid tag");
    return text_.substr(start, pos_ - start);
}

std::string Reader::command_name() {
    return ascii_upper(atom());
}

std::string_view Reader::atom() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_atom_char(text_[pos_]))
        ++pos_;
    if (pos_ == start)
        fail(at_end() ? "Missing arguments" : "Expected an atom");
    return text_.substr(start, pos_ - start);
}

std::string Reader::quoted() {
    expect('"');
    std::string out;
    for (;;) {
        if (at_end())
            fail("Unterminated quoted string");
        char c = text_[pos_++];
        if (c == '"')
            return out;
        if (c == '\\') {
            if (at_end() || (text_[pos_] != '"' && text_[pos_] != '\\'))
                fail("Invalid escape in quoted string");
            c = text_[pos_++];
        } else if (c == '\r' || c == '\n' || c == '\0') {
            fail("Invalid character in quoted string");
        }
        out.push_back(c);
    }
}

std::string_view Reader::literal() {
    expect('{');
    std::uint64_t size = 0;
    std::size_t digits = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        size = size * 10 + static_cast<unsigned>(text_[pos_++] - '0');
        if (++digits > 19)
            fail("Literal size too large");
    }
    if (digits == 0)
        fail("Invalid literal size");
    accept('+');
    expect('}');
    if (text_.substr(pos_, 2) != "\r\n")
        fail("Literal must end its line");
    pos_ += 2;
    if (text_.size() - pos_ < size)
        fail("Literal shorter than announced");
    auto out = text_.substr(pos_, size);
    pos_ += size;
    return out;
}

std::string Reader::string() {
    if (peek('"'))
        return quoted();
    if (peek('{'))
        return std::string(literal());
    fail("Expected a string");
}

std::string Reader::astring() {
    if (peek('"') || peek('{'))
        return string();
    std::size_t start = pos_;
    while (pos_ < text_.size() && (is_atom_char(text_[pos_]) || text_[pos_] == ']'))
        ++pos_;
    if (pos_ == start)
        fail(at_end() ? "Missing arguments" : "Expected a string");
    return std::string(text_.substr(start, pos_ - start));
}

std::string Reader::list_mailbox() {
    if (peek('"') || peek('{'))
        return string();
    std::size_t start = pos_;
    while (pos_ < text_.size() &&
           (is_atom_char(text_[pos_]) || text_[pos_] == ']' || is_list_wildcard(text_[pos_])))
        ++pos_;
    if (pos_ == start)
        fail(at_end() ? "Missing arguments" : "Expected a mailbox pattern");
    return std::string(text_.substr(start, pos_ - start));
}

std::string Reader::mailbox() {
    // On the wire, IMAP4rev1 names are 7-bit modified UTF-7 (RFC 3501
    // 5.1.3); from here on they are UTF-8.
    std::string name = mailbox_text(astring());
    // INBOX is case-insensitive, and so is it as the parent of a hierarchy.
    if (name.size() >= 5 && ascii_upper(name.substr(0, 5)) == "INBOX" &&
        (name.size() == 5 || name[5] == '/'))
        name.replace(0, 5, "INBOX");
    return name;
}

std::string Reader::mailbox_text(const std::string& wire) const {
    for (char c : wire)
        if (static_cast<unsigned char>(c) >= 0x80 || is_ctl(static_cast<unsigned char>(c)))
            fail("Mailbox names must be 7-bit (modified UTF-7) without control characters");
    auto utf8 = decode_mutf7(wire);
    if (!utf8)
        fail("Mailbox name is not valid modified UTF-7");
    return *utf8;
}

std::uint32_t Reader::number() {
    std::size_t start = pos_;
    std::uint64_t v = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        v = v * 10 + static_cast<unsigned>(text_[pos_++] - '0');
        if (v > 4294967295ULL)
            fail("Number too large");
    }
    if (pos_ == start)
        fail("Expected a number");
    return static_cast<std::uint32_t>(v);
}

std::uint32_t Reader::nz_number() {
    auto n = number();
    if (n == 0)
        fail("Expected a non-zero number");
    return n;
}

std::uint64_t Reader::number64() {
    std::size_t start = pos_;
    std::uint64_t v = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        v = v * 10 + static_cast<unsigned>(text_[pos_++] - '0');
        if (v > 9223372036854775807ULL)
            fail("Number too large");
    }
    if (pos_ == start)
        fail("Expected a number");
    return v;
}

bool Reader::accept_keyword(std::string_view word) {
    std::size_t end = pos_;
    while (end < text_.size() && is_atom_char(text_[end]))
        ++end;
    if (end == pos_ || ascii_upper(text_.substr(pos_, end - pos_)) != ascii_upper(word))
        return false;
    pos_ = end;
    return true;
}

SequenceSet Reader::sequence_set() {
    std::size_t start = pos_;
    while (pos_ < text_.size() &&
           std::string_view("0123456789:,*").find(text_[pos_]) != std::string_view::npos)
        ++pos_;
    auto set = SequenceSet::parse(text_.substr(start, pos_ - start));
    if (!set)
        fail("Invalid sequence set");
    return *set;
}

std::string Reader::flag() {
    if (accept('\\')) {
        if (accept('*'))
            return "\\*";
        return "\\" + std::string(atom());
    }
    return std::string(atom());
}

std::vector<std::string> Reader::flag_list() {
    expect('(');
    std::vector<std::string> flags;
    if (accept(')'))
        return flags;
    for (;;) {
        flags.push_back(flag());
        if (accept(')'))
            return flags;
        space();
    }
}

std::string_view Reader::quoted_date_time() {
    expect('"');
    auto close = text_.find('"', pos_);
    if (close == std::string_view::npos)
        fail("Unterminated date-time");
    auto out = text_.substr(pos_, close - pos_);
    pos_ = close + 1;
    return out;
}

std::string ascii_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return out;
}

}  // namespace postimap::imap
