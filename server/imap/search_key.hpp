// The arguments of SEARCH (RFC 3501 6.4.4; MODSEQ from CONDSTORE, RFC 7162 3.1.5) as a typed
// tree, read before any storage work. Protocol syntax only: storage turns the tree into a query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/imap/reader.hpp"
#include "server/imap/sequence_set.hpp"

namespace postimap::imap {

// One search-key. The grammar's keys map onto fewer node kinds, so storage has fewer cases:
//   ALL                                   All
//   ANSWERED DELETED DRAFT FLAGGED SEEN   Flag{"\Answered"} ... (canonical spelling)
//   KEYWORD k                             Flag{k} (as written; a keyword is an atom)
//   UNANSWERED ... UNSEEN, UNKEYWORD k    Not{Flag{...}}
//   RECENT, OLD, NEW                      Recent, Not{Recent}, And{Recent, Not{Flag{"\Seen"}}}
//   BCC CC FROM SUBJECT TO s              Header{"Bcc", s} ... like HEADER: RFC 3501 defines
//                                         both as "contains s" in that field; storage may still
//                                         treat address fields specially by their name
//   HEADER name s                         Header{name, s} (name as written)
//   BODY s, TEXT s                        Body, Text
//   BEFORE ON SINCE d                     Date{internal, before / on / since, d}
//   SENTBEFORE SENTON SENTSINCE d         Date{sent, ...}
//   LARGER n, SMALLER n                   Size{larger / smaller, n}
//   MODSEQ ["/flags/f" type] n            ModSeq
//   UID set, sequence-set                 Uid, Msn ("*" unresolved)
//   NOT k, OR k1 k2                       Not, Or
//   ( k1 k2 ... ), top-level keys         And; an And inside an And is flattened into it and a
//                                         list of one key is that key
// Strings are the client's bytes (CHARSET says UTF-8 or US-ASCII, but nothing checks them).
struct SearchKey {
    // Holds one key on the heap with value semantics, so that keys can nest. A moved-from
    // Boxed is empty: it may only be assigned to or destroyed.
    class Boxed {
      public:
        explicit Boxed(SearchKey key);
        Boxed(const Boxed& other);
        Boxed(Boxed&& other) noexcept;
        Boxed& operator=(const Boxed& other);
        Boxed& operator=(Boxed&& other) noexcept;
        ~Boxed();
        const SearchKey& operator*() const { return *key_; }
        const SearchKey* operator->() const { return key_.get(); }

      private:
        std::unique_ptr<SearchKey> key_;
    };

    struct All {};
    struct Flag {
        std::string name;  // "\Seen" for system flags, else a keyword
    };
    // \Recent belongs to the session, not to stored flags (RFC 3501 2.3.2).
    struct Recent {};
    struct Header {
        std::string field;
        std::string value;  // "" matches every message with the field
    };
    struct Body {
        std::string text;
    };
    struct Text {
        std::string text;  // header or body
    };
    enum class DateField { internal, sent };  // INTERNALDATE, or the Date: header
    enum class DateRelation { before, on, since };
    struct Date {
        DateField field;
        DateRelation relation;
        std::int64_t day;  // epoch seconds of 00:00 UTC of that day (parse_date)
    };
    enum class SizeRelation { larger, smaller };
    struct Size {
        SizeRelation relation;
        std::uint32_t octets;  // RFC822.SIZE strictly above / below this
    };
    enum class EntryType { priv, shared, all };
    // RFC 7162 3.1.5's metadata item: servers with one mod-sequence per message ignore it.
    struct ModSeqEntry {
        std::string flag;  // from "/flags/\draft": "\draft", as written
        EntryType type;
    };
    struct ModSeq {
        std::optional<ModSeqEntry> entry;
        std::uint64_t value;  // messages whose mod-sequence is >= value; 0..2^63-1
    };
    struct Uid {
        SequenceSet set;
    };
    struct Msn {
        SequenceSet set;
    };
    struct Not {
        Boxed key;
    };
    struct Or {
        Boxed left;
        Boxed right;
    };
    struct And {
        std::vector<SearchKey> keys;  // two or more, none of them an And
    };

    using Node = std::variant<All, Flag, Recent, Header, Body, Text, Date, Size, ModSeq, Uid, Msn,
                              Not, Or, And>;
    Node node;

    // The key in canonical IMAP syntax, for tests and logs: reading it back gives the same tree.
    // Strings are quoted, or literals when they hold CR, LF, NUL or 8-bit bytes; dates are
    // "1-Feb-1994"; a Flag prints as its key (SEEN) or KEYWORD k; NOT UNSEEN as "NOT NOT SEEN".
    std::string to_string() const;
};

struct SearchProgram {
    std::optional<std::string> charset;  // "UTF-8" or "US-ASCII" when the client named one
    SearchKey root;

    std::string to_string() const;  // "CHARSET UTF-8 " if given, then the root
};

// A CHARSET other than UTF-8 or US-ASCII. RFC 3501 6.4.4 wants a tagged NO with this response
// code, not the BAD of a SyntaxError, so it is deliberately no SyntaxError.
class BadCharset : public std::runtime_error {
  public:
    BadCharset() : std::runtime_error("Unsupported charset") {}
    static constexpr std::string_view kResponseCode = "BADCHARSET (UTF-8 US-ASCII)";
};

// Bounds on what one SEARCH may ask for, so a parse tree (and the recursion over it) stays small.
// NOT, OR and "(" each nest one level deeper; every key counts, nested or not.
constexpr int kMaxSearchDepth = 100;
constexpr std::size_t kMaxSearchKeys = 10000;

// Reads [CHARSET astring SP] 1*search-key (SP-separated, keys in any case) from the reader's
// position, just after "SEARCH SP" (after RETURN (...) for ESEARCH), to the end of the command.
// Strings are astrings (atom, quoted or literal); dates are date-text, quoted or not; numbers are
// 32-bit, MODSEQ's 63-bit. Throws BadCharset as soon as an unknown charset is read (the command
// has already arrived whole), and SyntaxError for anything else: missing or malformed arguments,
// unknown keys, deeper than kMaxSearchDepth or more than kMaxSearchKeys keys.
SearchProgram read_search_program(Reader& args);

}  // namespace postimap::imap
