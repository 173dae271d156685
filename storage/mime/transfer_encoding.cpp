#include "storage/mime/transfer_encoding.hpp"

#include <array>
#include <cstdint>

namespace postimap::mime {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_base64_table() {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table)
        v = -1;
    for (std::size_t i = 0; i < kAlphabet.size(); ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}

constexpr std::array<std::int8_t, 256> kBase64Values = make_base64_table();

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

// Length of the line break at text[i] ("\r\n" or "\n"), 0 if none.
std::size_t line_break_at(std::string_view text, std::size_t i) {
    if (i < text.size() && text[i] == '\n')
        return 1;
    if (i + 1 < text.size() && text[i] == '\r' && text[i + 1] == '\n')
        return 2;
    return 0;
}

// The whole bytes of an incomplete quantum (2 or 3 sextets), then a fresh one.
void flush_partial(std::uint32_t& bits, int& count, std::string& out) {
    if (count == 2) {
        out += static_cast<char>((bits >> 4) & 0xFF);
    } else if (count == 3) {
        out += static_cast<char>((bits >> 10) & 0xFF);
        out += static_cast<char>((bits >> 2) & 0xFF);
    }
    bits = 0;
    count = 0;
}

}  // namespace

std::string decode_base64(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : text) {
        if (c == '=') {
            flush_partial(bits, count, out);
            continue;
        }
        int v = kBase64Values[static_cast<unsigned char>(c)];
        if (v < 0)
            continue;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        if (++count == 4) {
            out += static_cast<char>((bits >> 16) & 0xFF);
            out += static_cast<char>((bits >> 8) & 0xFF);
            out += static_cast<char>(bits & 0xFF);
            bits = 0;
            count = 0;
        }
    }
    flush_partial(bits, count, out);
    return out;
}

std::string encode_base64(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        std::uint32_t v = byte(i) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string decode_quoted_printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (is_wsp(c)) {
            std::size_t j = i;
            while (j < text.size() && is_wsp(text[j]))
                ++j;
            if (j == text.size() || line_break_at(text, j) > 0) {
                i = j;  // transport padding before a line break
                continue;
            }
            out.append(text.substr(i, j - i));
            i = j;
            continue;
        }
        if (c != '=') {
            std::size_t j = i + 1;
            while (j < text.size() && text[j] != '=' && !is_wsp(text[j]))
                ++j;
            out.append(text, i, j - i);
            i = j;
            continue;
        }
        if (i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 3;
            continue;
        }
        std::size_t j = i + 1;
        while (j < text.size() && is_wsp(text[j]))
            ++j;
        if (std::size_t n = line_break_at(text, j); n > 0 || j == text.size()) {
            i = j + n;  // soft line break
            continue;
        }
        out += '=';
        ++i;
    }
    return out;
}

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding) {
    while (!encoding.empty() && is_wsp(encoding.front()))
        encoding.remove_prefix(1);
    while (!encoding.empty() && is_wsp(encoding.back()))
        encoding.remove_suffix(1);
    if (iequals(encoding, "base64"))
        return decode_base64(body);
    if (iequals(encoding, "quoted-printable"))
        return decode_quoted_printable(body);
    return std::string(body);
}

}  // namespace postimap::mime
