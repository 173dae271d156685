// Reads the arguments of one complete command (as the framer delivers it,
// literals inline). Commands pull typed values in grammar order; any
// mismatch throws SyntaxError, which the session answers with a tagged BAD.
// RFC 3501 section 9 is the grammar.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/imap/sequence_set.hpp"

namespace postimap::imap {

class SyntaxError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Reader {
  public:
    explicit Reader(std::string_view command) : text_(command) {}

    bool at_end() const { return pos_ >= text_.size(); }
    // Throws unless nothing is left.
    void expect_end() const;
    bool accept(char c);
    void expect(char c);
    bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
    void space() { expect(' '); }

    // tag SP command-name: the start of every command.
    std::string_view tag();
    std::string command_name();  // upper-cased atom

    std::string_view atom();
    std::string astring();
    std::string string();  // quoted or literal
    // The bytes of a literal, without copying (APPEND's message).
    std::string_view literal();
    std::uint32_t number();
    std::uint32_t nz_number();
    // 1*DIGIT up to 2^63-1: RFC 7162's mod-sequence-valzer (CONDSTORE).
    std::uint64_t number64();
    // Consumes the next atom if it is `word` in any case ("charset" for "CHARSET"); otherwise
    // consumes nothing. For optional keywords that open an argument list.
    bool accept_keyword(std::string_view word);
    // list-mailbox: like astring, but "%" and "*" are allowed unquoted.
    std::string list_mailbox();
    // A mailbox name, decoded from modified UTF-7 to UTF-8; "INBOX" in any
    // case becomes "INBOX" (RFC 3501 5.1).
    std::string mailbox();
    // Decodes a name or LIST pattern as sent (7-bit, modified UTF-7).
    std::string mailbox_text(const std::string& wire) const;
    SequenceSet sequence_set();
    // "(" [flag *(SP flag)] ")"; flags as written ("\Seen", "$Junk").
    std::vector<std::string> flag_list();
    std::string flag();
    // A quoted date-time's text, without the quotes.
    std::string_view quoted_date_time();
    std::size_t position() const { return pos_; }

  private:
    std::string quoted();
    [[noreturn]] void fail(const std::string& what) const;

    std::string_view text_;
    std::size_t pos_ = 0;
};

// Upper-cases ASCII letters only (keywords, atoms: IMAP's case-insensitive
// parts are ASCII).
std::string ascii_upper(std::string_view s);

// ATOM-CHAR of RFC 3501: any CHAR except atom-specials.
bool is_atom_char(char c);

}  // namespace postimap::imap
