// The data items of FETCH (RFC 3501 6.4.5), parsed into a plain struct
// before any storage work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/imap/reader.hpp"

namespace postimap::commands {

struct Partial {
    std::uint32_t origin = 0;
    std::uint32_t length = 0;
};

// BODY[<section>]<partial>, BODY.PEEK[...], RFC822, RFC822.HEADER, RFC822.TEXT.
struct BodyRequest {
    enum class Text { all, header, header_fields, header_fields_not, text, mime };
    std::vector<unsigned> part;  // 1.2.3; empty = the message itself
    Text text = Text::all;
    std::vector<std::string> fields;  // for HEADER.FIELDS (.NOT), as requested
    bool peek = false;                // BODY.PEEK and RFC822.HEADER leave \Seen alone
    std::string response_name;        // "BODY[1.HEADER]", "RFC822.TEXT", ...
    std::optional<Partial> partial;
};

struct FetchItems {
    bool uid = false;
    bool flags = false;
    bool internal_date = false;
    bool size = false;
    bool envelope = false;
    bool body_structure = false;  // BODYSTRUCTURE, with extension data
    bool body = false;            // BODY, without
    bool modseq = false;          // MODSEQ (CONDSTORE)
    std::vector<BodyRequest> bodies;

    bool sets_seen() const {
        for (const auto& b : bodies)
            if (!b.peek)
                return true;
        return false;
    }
    bool needs_raw() const { return !bodies.empty(); }
    // Of the structure, only the envelope: the message list a client shows.
    bool needs_only_envelope() const {
        return envelope && !body_structure && !body && !needs_section_structure();
    }
    bool needs_structure() const {
        if (envelope || body_structure || body)
            return true;
        return needs_section_structure();
    }

  private:
    // A body section other than the whole message: found through the part
    // tree.
    bool needs_section_structure() const {
        for (const auto& b : bodies)
            if (!b.part.empty() || b.text != BodyRequest::Text::all)
                return true;
        return false;
    }
};

// RFC 7162's FETCH modifiers: (CHANGEDSINCE n [VANISHED]).
struct FetchModifiers {
    std::optional<std::uint64_t> changed_since;
    bool vanished = false;
};
// [SP "(" modifier *(SP modifier) ")"]; throws imap::SyntaxError.
FetchModifiers read_fetch_modifiers(imap::Reader& args);

// Reads the fetch items (a macro, one item, or a parenthesized list).
// Throws imap::SyntaxError for malformed items.
FetchItems read_fetch_items(imap::Reader& args);

}  // namespace postimap::commands
