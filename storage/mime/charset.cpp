#include "storage/mime/charset.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>

#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

constexpr std::size_t kMaxCharsetName = 64;

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Lower-cased, trimmed; empty if it holds anything a charset name cannot
// (iconv would otherwise read "//" suffixes and the like as options).
std::string normalized_name(std::string_view charset) {
    while (!charset.empty() && (charset.front() == ' ' || charset.front() == '\t'))
        charset.remove_prefix(1);
    while (!charset.empty() && (charset.back() == ' ' || charset.back() == '\t'))
        charset.remove_suffix(1);
    if (charset.size() > kMaxCharsetName)
        return {};
    std::string name;
    for (char c : charset) {
        char l = ascii_lower(c);
        bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '_' ||
                  l == '.' || l == ':' || l == '+';
        if (!ok)
            return {};
        name += l;
    }
    return name;
}

enum class Known { utf8, not_a_charset, other };

struct Alias {
    std::string_view label;
    std::string_view iconv_name;
};

// Labels seen in mail that iconv does not know, or knows as something
// narrower than what senders mean.
constexpr std::array<Alias, 12> kAliases = {{
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"gb2312", "GBK"},
    {"x-gbk", "GBK"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601", "CP949"},
    {"iso-8859-8-i", "ISO-8859-8"},
    {"x-mac-roman", "MACINTOSH"},
    {"unicode-1-1-utf-7", "UTF-7"},
    {"x-sjis", "SHIFT_JIS"},
}};

Known classify(const std::string& name) {
    if (name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii" ||
        name == "ansi_x3.4-1968" || name == "iso646-us" || name == "us") {
        return Known::utf8;
    }
    if (name.empty() || name == "unknown-8bit" || name == "x-unknown" || name == "unknown" ||
        name == "default" || name == "8bit" || name == "7bit" || name == "binary" ||
        name == "charset" || name == "x-user-defined") {
        return Known::not_a_charset;
    }
    return Known::other;
}

std::string iconv_name(const std::string& name) {
    for (const auto& alias : kAliases) {
        if (name == alias.label)
            return std::string(alias.iconv_name);
    }
    return name;
}

class Converter {
  public:
    explicit Converter(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
    ~Converter() {
        if (ok())
            iconv_close(cd_);
    }
    Converter(const Converter&) = delete;
    Converter& operator=(const Converter&) = delete;

    bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

    std::string run(std::string_view bytes) {
        std::string out;
        out.reserve(bytes.size() + bytes.size() / 2 + 16);
        char* in = const_cast<char*>(bytes.data());  // iconv's signature; it only reads
        std::size_t in_left = bytes.size();
        while (in_left > 0) {
            std::size_t r = convert(&in, &in_left, out);
            int error = errno;
            if (r != kFailed || error == E2BIG)
                continue;
            out += "\xEF\xBF\xBD";
            if (error != EILSEQ)
                break;  // EINVAL: a truncated sequence at the very end
            ++in;
            --in_left;
        }
        // A stateful charset (ISO-2022-JP) may owe a final shift sequence.
        while (convert(nullptr, nullptr, out) == kFailed && errno == E2BIG) {
        }
        return out;
    }

  private:
    static constexpr std::size_t kFailed = static_cast<std::size_t>(-1);

    // One iconv call into a stack buffer, appended to out.
    std::size_t convert(char** in, std::size_t* in_left, std::string& out) {
        std::array<char, 4096> buffer;
        char* dst = buffer.data();
        std::size_t dst_left = buffer.size();
        std::size_t r = iconv(cd_, in, in_left, &dst, &dst_left);
        int error = errno;
        out.append(buffer.data(), buffer.size() - dst_left);
        errno = error;
        return r;
    }

    iconv_t cd_;
};

}  // namespace

std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset) {
    std::string name = normalized_name(charset);
    switch (classify(name)) {
        case Known::utf8:
            return to_valid_utf8(bytes);
        case Known::not_a_charset:
            return std::nullopt;
        case Known::other:
            break;
    }
    Converter converter(iconv_name(name));
    if (!converter.ok())
        return std::nullopt;
    return to_valid_utf8(converter.run(bytes));
}

std::string charset_to_utf8(std::string_view bytes, std::string_view charset) {
    if (auto converted = convert_to_utf8(bytes, charset))
        return std::move(*converted);
    return to_valid_utf8(bytes);
}

}  // namespace postimap::mime
