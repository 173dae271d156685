#include "storage/mime/search_text.hpp"

#include <cstdint>

#include "storage/mime/charset.hpp"
#include "storage/mime/encoded_word.hpp"
#include "storage/mime/header.hpp"
#include "storage/mime/transfer_encoding.hpp"

namespace postimap::mime {
namespace {

// Decoding more raw bytes than this per output byte cannot be needed: base64
// and quoted-printable shrink at most 3 to 1 (plus line breaks), a charset at
// most 4 to 1.
constexpr std::size_t kRawPerTextByte = 16;

class Collector {
  public:
    Collector(std::string_view raw, std::size_t limit) : raw_(raw), limit_(limit) {}

    void body_of(const Part& part) {
        if (full())
            return;
        if (part.is_multipart()) {
            for (const Part& child : part.children)
                body_of(child);
        } else if (const Part* message = part.encapsulated()) {
            header_of(*message);
            body_of(*message);
        } else if (part.type == "text") {
            text_of(part);
        }
    }

    std::string take() {
        if (out_.size() > limit_) {
            std::size_t cut = limit_;
            while (cut > 0 && (static_cast<unsigned char>(out_[cut]) & 0xC0) == 0x80)
                --cut;
            out_.resize(cut);
        }
        return std::move(out_);
    }

  private:
    bool full() const { return out_.size() >= limit_; }

    void separate() {
        if (!out_.empty() && out_.back() != '\n')
            out_ += '\n';
    }

    void header_of(const Part& message) {
        for (const HeaderField& field : parse_header(message.header.in(raw_)).fields) {
            if (full())
                return;
            separate();
            out_ += decode_header_text(field.name);
            out_ += ": ";
            out_ += decode_header_text(field.value);
        }
    }

    void text_of(const Part& part) {
        std::string_view body = part.body.in(raw_);
        std::size_t remaining = limit_ - out_.size();
        std::size_t budget = remaining * kRawPerTextByte + 64;
        if (remaining < (SIZE_MAX - 64) / kRawPerTextByte && body.size() > budget)
            body = body.substr(0, budget);
        std::string decoded = decode_transfer_encoding(body, part.encoding);
        const Param* charset = find_param(part.params, "charset");
        separate();
        out_ += charset_to_utf8(decoded, charset ? std::string_view(charset->value) : "us-ascii");
    }

    std::string_view raw_;
    std::size_t limit_;
    std::string out_;
};

}  // namespace

std::string search_text(const Part& part, std::string_view raw, std::size_t limit) {
    Collector collector(raw, limit);
    collector.body_of(part);
    return collector.take();
}

}  // namespace postimap::mime
