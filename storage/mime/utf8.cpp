#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
std::size_t valid_sequence_length(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi)
        return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
            return 0;
    return n;
}

}  // namespace

std::string to_valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t run = 0;  // start of the valid bytes not yet copied
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = s[i] == '\0' ? 0 : valid_sequence_length(s, i);
        if (n > 0) {
            i += n;
            continue;
        }
        out.append(s, run, i - run);
        if (s[i] != '\0')
            out += "\xEF\xBF\xBD";
        run = ++i;
    }
    out.append(s, run, s.size() - run);
    return out;
}

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {  // most text: no call per byte
            ++i;
            continue;
        }
        std::size_t n = valid_sequence_length(s, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

}  // namespace postimap::mime
