// libFuzzer target: arbitrary bytes as a message through the MIME parser,
// the structure's JSON round trip, sections and search text. Ranges must
// stay inside the message and the round trip must be exact.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/mime/header_fields.hpp"
#include "storage/mime/message.hpp"
#include "storage/mime/part_json.hpp"
#include "storage/mime/search_text.hpp"
#include "storage/mime/utf8.hpp"

namespace {

using namespace postimap::mime;

void check_ranges(const Part& part, std::size_t size) {
    if (part.header.offset + part.header.length > size ||
        part.body.offset + part.body.length > size)
        __builtin_trap();
    for (const auto& child : part.children)
        check_ranges(child, size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    Part root = parse_message(raw);
    check_ranges(root, size);
    auto back = part_from_json(to_json(root));
    if (!back || !(*back == root))
        __builtin_trap();
    if (!is_valid_utf8(search_text(root, raw)))
        __builtin_trap();
    select_header_fields(root.header.in(raw), {"subject", "from"}, false);
    const unsigned path[] = {1, 2};
    find_part(root, path);
    find_message(root, path);
    return 0;
}
