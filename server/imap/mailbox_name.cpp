#include "server/imap/mailbox_name.hpp"

#include <algorithm>
#include <cstdint>

namespace postimap::imap {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

bool is_direct(char32_t c) {
    return c >= 0x20 && c <= 0x7e;
}

bool is_high_surrogate(char32_t u) {
    return u >= 0xD800 && u <= 0xDBFF;
}

bool is_low_surrogate(char32_t u) {
    return u >= 0xDC00 && u <= 0xDFFF;
}

bool is_control(char32_t c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

struct CodePoint {
    char32_t value;
    std::size_t length;  // in bytes
};

// The code point that starts at s[i], or nullopt if no valid UTF-8 sequence starts there.
std::optional<CodePoint> next_code_point(std::string_view s, std::size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80)
        return CodePoint{lead, 1};
    std::size_t length = 0;
    char32_t value = 0;
    char32_t least = 0;  // anything smaller is an overlong form
    if ((lead & 0xE0) == 0xC0) {
        length = 2, value = lead & 0x1F, least = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, value = lead & 0x0F, least = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, value = lead & 0x07, least = 0x10000;
    } else {
        return std::nullopt;
    }
    if (s.size() - i < length)
        return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80)
            return std::nullopt;
        value = value << 6 | (b & 0x3F);
    }
    if (value < least || value > 0x10FFFF || is_high_surrogate(value) || is_low_surrogate(value))
        return std::nullopt;
    return CodePoint{value, length};
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | c >> 6);
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | c >> 12);
        out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | c >> 18);
        out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
        out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// Writes UTF-16 code units as modified base64, padding the last character with zero bits.
class Base64Writer {
  public:
    explicit Base64Writer(std::string& out) : out_(out) {}

    void code_point(char32_t c) {
        if (c < 0x10000) {
            unit(c);
        } else {
            c -= 0x10000;
            unit(0xD800 + (c >> 10));
            unit(0xDC00 + (c & 0x3FF));
        }
    }

    void finish() {
        if (pending_bits_ > 0)
            out_ += kBase64[bits_ << (6 - pending_bits_) & 0x3F];
        bits_ = 0;
        pending_bits_ = 0;
    }

  private:
    void unit(char32_t u) {
        bits_ = bits_ << 16 | u;
        pending_bits_ += 16;
        while (pending_bits_ >= 6) {
            pending_bits_ -= 6;
            out_ += kBase64[bits_ >> pending_bits_ & 0x3F];
        }
        bits_ &= (1u << pending_bits_) - 1;
    }

    std::string& out_;
    std::uint32_t bits_ = 0;
    int pending_bits_ = 0;
};

// Decodes the base64 between a shift's "&" and "-", appending UTF-8 to out.
bool decode_run(std::string_view run, std::string& out) {
    std::uint32_t bits = 0;
    int pending_bits = 0;
    char32_t high = 0;  // a high surrogate waiting for its low half
    for (char c : run) {
        const auto value = kBase64.find(c);
        if (value == std::string_view::npos)
            return false;
        bits = bits << 6 | static_cast<std::uint32_t>(value);
        pending_bits += 6;
        if (pending_bits < 16)
            continue;
        pending_bits -= 16;
        const char32_t u = bits >> pending_bits & 0xFFFF;
        bits &= (1u << pending_bits) - 1;
        if (high != 0) {
            if (!is_low_surrogate(u))
                return false;
            append_utf8(out, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
            high = 0;
        } else if (is_high_surrogate(u)) {
            high = u;
        } else if (is_low_surrogate(u) || is_direct(u)) {
            return false;
        } else {
            append_utf8(out, u);
        }
    }
    // Leftovers of a whole character, or set padding bits, are other spellings of the same run.
    return high == 0 && pending_bits < 6 && bits == 0;
}

}  // namespace

std::optional<std::string> decode_mutf7(std::string_view wire) {
    std::string out;
    bool after_run = false;  // the previous byte closed a shifted run
    std::size_t i = 0;
    while (i < wire.size()) {
        const char c = wire[i];
        if (!is_direct(static_cast<unsigned char>(c)))
            return std::nullopt;
        if (c != '&') {
            out += c;
            ++i;
            after_run = false;
            continue;
        }
        if (i + 1 < wire.size() && wire[i + 1] == '-') {
            out += '&';
            i += 2;
            after_run = false;
            continue;
        }
        if (after_run)
            return std::nullopt;
        const auto end = wire.find('-', i + 1);
        if (end == std::string_view::npos || !decode_run(wire.substr(i + 1, end - i - 1), out))
            return std::nullopt;
        i = end + 1;
        after_run = true;
    }
    return out;
}

std::string encode_mutf7(std::string_view utf8) {
    std::string out;
    Base64Writer base64(out);
    bool shifted = false;
    std::size_t i = 0;
    while (i < utf8.size()) {
        const auto cp = next_code_point(utf8, i);
        const char32_t c = cp ? cp->value : kReplacement;
        i += cp ? cp->length : 1;
        if (is_direct(c)) {
            if (shifted) {
                base64.finish();
                out += '-';
                shifted = false;
            }
            out += static_cast<char>(c);
            if (c == '&')
                out += '-';
        } else {
            if (!shifted) {
                out += '&';
                shifted = true;
            }
            base64.code_point(c);
        }
    }
    if (shifted) {
        base64.finish();
        out += '-';
    }
    return out;
}

std::optional<std::string> validate_mailbox_name(std::string_view utf8, char delimiter) {
    if (utf8.empty())
        return "Mailbox name is empty";
    if (utf8.size() > kMaxMailboxNameBytes)
        return "Mailbox name is longer than " + std::to_string(kMaxMailboxNameBytes) + " bytes";
    for (std::size_t i = 0; i < utf8.size();) {
        const auto cp = next_code_point(utf8, i);
        if (!cp)
            return "Mailbox name is not valid UTF-8";
        if (is_control(cp->value))
            return "Mailbox name contains a control character";
        i += cp->length;
    }
    std::size_t start = 0;
    for (;;) {
        const auto end = std::min(utf8.find(delimiter, start), utf8.size());
        if (end == start)
            return "Mailbox name has an empty hierarchy level";
        if (end - start > kMaxMailboxLevelBytes)
            return "Mailbox name has a hierarchy level longer than " +
                   std::to_string(kMaxMailboxLevelBytes) + " bytes";
        if (end == utf8.size())
            return std::nullopt;
        start = end + 1;
    }
}

}  // namespace postimap::imap
