#include "storage/mime/encoded_word.hpp"

#include <optional>

#include "storage/mime/charset.hpp"
#include "storage/mime/transfer_encoding.hpp"
#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool all_space(std::string_view s) {
    for (char c : s) {
        if (!is_space(c))
            return false;
    }
    return true;
}

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

// RFC 2047 4.2: "_" is a space, "=XX" a byte; other characters as they are.
std::string decode_q(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '_') {
            out += ' ';
        } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

// Longer than any charset name (with an RFC 2231 language suffix).
constexpr std::size_t kMaxCharset = 80;

struct EncodedWord {
    std::size_t length = 0;  // of the whole "=?...?=" in the input
    std::string_view charset;
    std::string bytes;  // decoded, still in charset
};

// Finds encoded words left to right in linear time: where a payload ends
// (at "?=", or fails at white space) is remembered, because the candidates
// come in increasing order and the next one's payload cannot begin before
// the previous one's did.
class WordReader {
  public:
    explicit WordReader(std::string_view text) : text_(text) {}

    // The encoded word starting at text[pos] ("=?"), if it is one.
    std::optional<EncodedWord> read(std::size_t pos) {
        std::size_t charset_begin = pos + 2;
        std::size_t q1 = charset_begin;
        while (q1 < text_.size() && q1 - charset_begin <= kMaxCharset && text_[q1] != '?') {
            if (is_space(text_[q1]) || text_[q1] == '=')
                return std::nullopt;
            ++q1;
        }
        if (q1 == charset_begin || q1 + 2 >= text_.size() || text_[q1] != '?' ||
            text_[q1 + 2] != '?') {
            return std::nullopt;
        }
        char encoding = ascii_lower(text_[q1 + 1]);
        if (encoding != 'q' && encoding != 'b')
            return std::nullopt;
        std::size_t payload_begin = q1 + 3;
        std::size_t end = payload_end(payload_begin);
        if (end == text_.size() || text_[end] != '?')
            return std::nullopt;  // white space or the end came first
        std::string_view charset = text_.substr(charset_begin, q1 - charset_begin);
        if (std::size_t star = charset.find('*'); star != std::string_view::npos)
            charset = charset.substr(0, star);  // RFC 2231 section 5 language
        std::string_view payload = text_.substr(payload_begin, end - payload_begin);
        EncodedWord word;
        word.length = end + 2 - pos;
        word.charset = charset;
        word.bytes = encoding == 'q' ? decode_q(payload) : decode_base64(payload);
        return word;
    }

  private:
    // The first "?=" or white space at or after from (text size if none).
    std::size_t payload_end(std::size_t from) {
        if (stop_ != kUnknown && stop_ >= from && scanned_from_ <= from)
            return stop_;
        std::size_t k = from;
        while (k < text_.size() && !is_space(text_[k]) &&
               !(text_[k] == '?' && k + 1 < text_.size() && text_[k + 1] == '=')) {
            ++k;
        }
        scanned_from_ = from;
        stop_ = k;
        return k;
    }

    static constexpr std::size_t kUnknown = static_cast<std::size_t>(-1);
    std::string_view text_;
    std::size_t scanned_from_ = 0;
    std::size_t stop_ = kUnknown;
};

// Decoded bytes of adjacent encoded words in one charset, converted at once.
class Pending {
  public:
    explicit Pending(std::string& out) : out_(out) {}

    void add(const EncodedWord& word) {
        if (!bytes_.empty() && !iequals(charset_, word.charset))
            flush();
        charset_ = word.charset;
        bytes_ += word.bytes;
    }

    void flush() {
        if (!bytes_.empty())
            out_ += charset_to_utf8(bytes_, charset_);
        bytes_.clear();
    }

  private:
    std::string& out_;
    std::string_view charset_;
    std::string bytes_;
};

}  // namespace

std::string decode_header_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    Pending pending(out);
    WordReader reader(text);
    bool after_word = false;
    std::size_t literal_begin = 0;
    std::size_t pos = 0;
    while (true) {
        std::size_t start = text.find("=?", pos);
        std::optional<EncodedWord> word;
        if (start != std::string_view::npos)
            word = reader.read(start);
        if (start != std::string_view::npos && !word) {
            pos = start + 1;  // not an encoded word: literal text
            continue;
        }
        std::size_t literal_end = start == std::string_view::npos ? text.size() : start;
        std::string_view literal = text.substr(literal_begin, literal_end - literal_begin);
        bool joins = after_word && word && all_space(literal);
        if (!joins && !literal.empty()) {
            pending.flush();
            out += to_valid_utf8(literal);
        }
        if (!word)
            break;
        pending.add(*word);
        after_word = true;
        pos = literal_begin = start + word->length;
    }
    pending.flush();
    return out;
}

}  // namespace postimap::mime
