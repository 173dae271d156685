// A message's header block: where it ends and its fields, unfolded.
// Pure parsing of bytes; tolerant of what real mail contains (bare LF line
// ends, 8-bit bytes, junk lines, an mbox "From " line) and never throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::mime {

struct HeaderField {
    // As written, except that whitespace between the name and the colon
    // (RFC 5322 4.5 obsolete syntax) is dropped.
    std::string name;
    // Unfolded (line breaks before WSP removed, the WSP kept), with leading
    // and trailing whitespace and CRs trimmed.
    std::string value;
};

struct HeaderBlock {
    // Bytes of the header including the empty line that ends it, so the body
    // is raw.substr(header_size); the whole message if there is no empty line.
    std::size_t header_size = 0;
    // In the order written.
    std::vector<HeaderField> fields;

    // The first field with this name (ASCII case-insensitive), or nullptr.
    const HeaderField* find(std::string_view name) const;
};

// Lines end at LF, with an optional CR before it. The header ends at the first
// empty line ("\r\n" or "\n"). An mbox "From " line at the very beginning is
// skipped; so are lines that are not "name:value" (and their continuation
// lines), and continuation lines that have no field to attach to.
HeaderBlock parse_header(std::string_view raw);

}  // namespace postimap::mime
