// The small, strict JSON (RFC 8259) that part_json.hpp stores: writing
// helpers and a parser into a plain value tree. Only what that needs:
// numbers are non-negative integers below 2^64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::mime::json {

struct Value {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;
    std::uint64_t number = 0;
    std::string string;  // valid UTF-8
    std::vector<Value> items;
    struct Member;
    std::vector<Member> members;  // in order; duplicate keys rejected

    // The member with this key, or nullptr (also when not an object).
    const Value* find(std::string_view key) const;
};

struct Value::Member {
    std::string key;
    Value value;
};

// Deeper nesting than this is refused, so a parse needs bounded stack.
inline constexpr unsigned kMaxDepth = 256;

// Strict RFC 8259, except that numbers must be non-negative integers that
// fit 64 bits. Strings must be valid UTF-8 (after escapes; lone surrogates
// refused). Nullopt on any error, including trailing bytes.
std::optional<Value> parse(std::string_view text);

// Appends text (which must be valid UTF-8) as a JSON string: quote, backslash
// and control characters escaped, everything else as it is.
void write_string(std::string& out, std::string_view text);

}  // namespace postimap::mime::json
