// A message's MIME tree (RFC 2045-2049) as IMAP FETCH needs it (RFC 3501
// 6.4.5 sections, 7.4.2 BODYSTRUCTURE and ENVELOPE), computed once at ingest.
// Every part is located by byte ranges into the raw message, so any section
// is a substring of the stored bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mime/content_type.hpp"
#include "storage/mime/envelope.hpp"

namespace postimap::mime {

struct Range {
    std::size_t offset = 0;
    std::size_t length = 0;

    // The bytes of the range (clamped to raw, so never out of bounds).
    std::string_view in(std::string_view raw) const;
    bool operator==(const Range&) const = default;
};

// A message is a Part with an envelope: the top level, and the message that
// a message/rfc822 (or message/global) part encapsulates, as its only child.
struct Part {
    // A message's header block, or a body part's MIME header (BODY[n.MIME]);
    // either way including the empty line that ends it, if there is one.
    Range header;
    // What follows the header: BODY[TEXT] of a message, BODY[n] of a part.
    // Its length is the body size IMAP reports. A multipart child's body
    // excludes the line break before the next boundary (RFC 2046 5.1.1).
    Range body;

    // Content-Type; absent: text/plain with charset=us-ascii (RFC 2045 5.2),
    // or message/rfc822 in a multipart/digest (RFC 2046 5.1.5); unreadable:
    // text/plain with charset=us-ascii.
    std::string type = "text";      // lower-cased
    std::string subtype = "plain";  // lower-cased
    Params params;
    std::optional<std::string> id;           // Content-ID, as written
    std::optional<std::string> description;  // Content-Description, as written
    std::string encoding = "7BIT";           // Content-Transfer-Encoding token, upper-cased
    std::optional<std::string> md5;          // Content-MD5, as written
    std::optional<std::string> disposition;  // Content-Disposition type, lower-cased
    Params disposition_params;
    std::vector<std::string> language;    // Content-Language tags
    std::optional<std::string> location;  // Content-Location, as written
    // Text lines in the body: line feeds, plus one for a last line without.
    std::size_t lines = 0;

    // Set on the top level and on each encapsulated message.
    std::optional<Envelope> envelope;
    // multipart/*: the body parts, at least one. message/rfc822 and
    // message/global: the encapsulated message, unless the part is encoded
    // (base64 or quoted-printable, which leaves the message unreadable
    // in place) or nested too deep. Anything else: none.
    std::vector<Part> children;

    bool is_multipart() const { return type == "multipart" && !children.empty(); }
    // The message this part encapsulates, or nullptr.
    const Part* encapsulated() const;
    bool operator==(const Part&) const = default;
};

// More levels of multipart or message nesting than this, and a container is
// kept as a leaf: a multipart becomes text/plain, a message/rfc822 has no child.
inline constexpr unsigned kMaxNesting = 50;
// More parts than this in one message and the rest are not split out.
inline constexpr std::size_t kMaxParts = 10000;

// Parses a whole message. Never fails: bare LF line ends, 8-bit headers,
// junk, missing or wrong boundaries and absurd nesting all give a tree.
// A multipart whose boundary is missing, or that has no body part
// delimited by it, is read as a text/plain leaf (charset us-ascii).
Part parse_message(std::string_view raw);

// The part a section number addresses (RFC 3501 6.4.5): in a multipart,
// n is the n-th body part; in a message that is not multipart, 1 is its
// body (the message Part itself); after a message/rfc822 part, numbers
// address parts of the encapsulated message. The empty path is the root.
// Nullptr when the path leads nowhere.
const Part* find_part(const Part& root, std::span<const unsigned> path);

// The message whose HEADER or TEXT a section "path.HEADER" / "path.TEXT"
// means: the root for the empty path, else the message that the addressed
// message/rfc822 part encapsulates. Nullptr otherwise.
const Part* find_message(const Part& root, std::span<const unsigned> path);

}  // namespace postimap::mime
