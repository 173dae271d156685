#include "storage/mime/part_json.hpp"

#include "storage/mime/json.hpp"
#include "storage/mime/transfer_encoding.hpp"
#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

using json::Value;
using Kind = json::Value::Kind;

// ---- writing

class Writer {
  public:
    std::string take() { return std::move(out_); }

    void part(const Part& p) {
        out_ += '{';
        key("header");
        range(p.header);
        key("body");
        range(p.body);
        key("type");
        text(p.type);
        key("subtype");
        text(p.subtype);
        params("params", p.params);
        optional_text("id", p.id);
        optional_text("description", p.description);
        key("encoding");
        text(p.encoding);
        optional_text("md5", p.md5);
        optional_text("disposition", p.disposition);
        params("disposition_params", p.disposition_params);
        if (!p.language.empty()) {
            key("language");
            list(p.language, [this](const std::string& tag) { text(tag); });
        }
        optional_text("location", p.location);
        key("lines");
        out_ += std::to_string(p.lines);
        if (p.envelope) {
            key("envelope");
            envelope(*p.envelope);
        }
        if (!p.children.empty()) {
            key("children");
            list(p.children, [this](const Part& child) { part(child); });
        }
        out_ += '}';
    }

  private:
    void key(std::string_view name) {
        if (out_.back() != '{')
            out_ += ',';
        json::write_string(out_, name);
        out_ += ':';
    }

    void text(std::string_view s) {
        if (is_valid_utf8(s) && s.find('\0') == std::string_view::npos) {
            json::write_string(out_, s);
        } else {
            out_ += "{\"b64\":\"";
            out_ += encode_base64(s);
            out_ += "\"}";
        }
    }

    void optional_text(std::string_view name, const std::optional<std::string>& s) {
        if (s) {
            key(name);
            text(*s);
        }
    }

    void nullable_text(const std::optional<std::string>& s) {
        if (s)
            text(*s);
        else
            out_ += "null";
    }

    void range(const Range& r) {
        out_ += '[';
        out_ += std::to_string(r.offset);
        out_ += ',';
        out_ += std::to_string(r.length);
        out_ += ']';
    }

    template <typename T, typename F>
    void list(const std::vector<T>& items, F write_item) {
        out_ += '[';
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i > 0)
                out_ += ',';
            write_item(items[i]);
        }
        out_ += ']';
    }

    void params(std::string_view name, const Params& ps) {
        if (ps.empty())
            return;
        key(name);
        list(ps, [this](const Param& p) {
            out_ += '[';
            text(p.name);
            out_ += ',';
            text(p.value);
            out_ += ']';
        });
    }

    void addresses(std::string_view name, const std::vector<Address>& list_of) {
        if (list_of.empty())
            return;
        key(name);
        list(list_of, [this](const Address& a) {
            out_ += '[';
            nullable_text(a.name);
            out_ += ',';
            nullable_text(a.adl);
            out_ += ',';
            nullable_text(a.mailbox);
            out_ += ',';
            nullable_text(a.host);
            out_ += ']';
        });
    }

    void envelope(const Envelope& e) {
        out_ += '{';
        optional_text("date", e.date);
        optional_text("subject", e.subject);
        addresses("from", e.from);
        addresses("sender", e.sender);
        addresses("reply_to", e.reply_to);
        addresses("to", e.to);
        addresses("cc", e.cc);
        addresses("bcc", e.bcc);
        optional_text("in_reply_to", e.in_reply_to);
        optional_text("message_id", e.message_id);
        out_ += '}';
    }

    std::string out_;
};

// ---- reading: each returns false when the value does not fit the layout

bool read_text(const Value& v, std::string& out) {
    if (v.kind == Kind::string) {
        out = v.string;
        return true;
    }
    const Value* b64 = v.find("b64");
    if (v.kind != Kind::object || v.members.size() != 1 || !b64 || b64->kind != Kind::string)
        return false;
    // Only the canonical encoding, so that every stored form maps back to
    // the same bytes and to_json gives the same text again.
    out = decode_base64(b64->string);
    return encode_base64(out) == b64->string;
}

bool read_nullable_text(const Value& v, std::optional<std::string>& out) {
    if (v.kind == Kind::null) {
        out.reset();
        return true;
    }
    out.emplace();
    return read_text(v, *out);
}

bool read_optional_text(const Value& obj, std::string_view name, std::optional<std::string>& out) {
    const Value* v = obj.find(name);
    if (!v)
        return true;
    out.emplace();
    return read_text(*v, *out);
}

bool read_required_text(const Value& obj, std::string_view name, std::string& out) {
    const Value* v = obj.find(name);
    return v && read_text(*v, out);
}

bool read_size(const Value& v, std::size_t& out) {
    if (v.kind != Kind::number || v.number > SIZE_MAX)
        return false;
    out = static_cast<std::size_t>(v.number);
    return true;
}

bool read_range(const Value* v, Range& out) {
    return v && v->kind == Kind::array && v->items.size() == 2 &&
           read_size(v->items[0], out.offset) && read_size(v->items[1], out.length);
}

// An optional array member, each item read by read_item into a new element.
template <typename T, typename F>
bool read_list(const Value& obj, std::string_view name, std::vector<T>& out, F read_item) {
    const Value* v = obj.find(name);
    if (!v)
        return true;
    if (v->kind != Kind::array)
        return false;
    out.reserve(v->items.size());
    for (const Value& item : v->items) {
        out.emplace_back();
        if (!read_item(item, out.back()))
            return false;
    }
    return true;
}

bool read_param(const Value& v, Param& out) {
    return v.kind == Kind::array && v.items.size() == 2 && read_text(v.items[0], out.name) &&
           read_text(v.items[1], out.value);
}

bool read_address(const Value& v, Address& out) {
    return v.kind == Kind::array && v.items.size() == 4 &&
           read_nullable_text(v.items[0], out.name) && read_nullable_text(v.items[1], out.adl) &&
           read_nullable_text(v.items[2], out.mailbox) && read_nullable_text(v.items[3], out.host);
}

bool read_envelope(const Value& v, Envelope& e) {
    if (v.kind != Kind::object)
        return false;
    return read_optional_text(v, "date", e.date) && read_optional_text(v, "subject", e.subject) &&
           read_list(v, "from", e.from, read_address) &&
           read_list(v, "sender", e.sender, read_address) &&
           read_list(v, "reply_to", e.reply_to, read_address) &&
           read_list(v, "to", e.to, read_address) && read_list(v, "cc", e.cc, read_address) &&
           read_list(v, "bcc", e.bcc, read_address) &&
           read_optional_text(v, "in_reply_to", e.in_reply_to) &&
           read_optional_text(v, "message_id", e.message_id);
}

bool read_part(const Value& v, Part& p) {
    if (v.kind != Kind::object)
        return false;
    const Value* lines = v.find("lines");
    if (!read_range(v.find("header"), p.header) || !read_range(v.find("body"), p.body) ||
        !read_required_text(v, "type", p.type) || !read_required_text(v, "subtype", p.subtype) ||
        !read_list(v, "params", p.params, read_param) || !read_optional_text(v, "id", p.id) ||
        !read_optional_text(v, "description", p.description) ||
        !read_required_text(v, "encoding", p.encoding) || !read_optional_text(v, "md5", p.md5) ||
        !read_optional_text(v, "disposition", p.disposition) ||
        !read_list(v, "disposition_params", p.disposition_params, read_param) ||
        !read_list(v, "language", p.language, read_text) ||
        !read_optional_text(v, "location", p.location) || !lines || !read_size(*lines, p.lines)) {
        return false;
    }
    if (const Value* e = v.find("envelope")) {
        p.envelope.emplace();
        if (!read_envelope(*e, *p.envelope))
            return false;
    }
    return read_list(v, "children", p.children, read_part);
}

}  // namespace

std::string to_json(const Part& part) {
    Writer writer;
    writer.part(part);
    return writer.take();
}

namespace {

// Parses the text and reads it as a T with `read`.
template <typename T>
std::optional<T> read_json(std::string_view text, bool (*read)(const Value&, T&)) {
    std::optional<Value> value = json::parse(text);
    T out;
    if (!value || !read(*value, out))
        return std::nullopt;
    return out;
}

}  // namespace

std::optional<Part> part_from_json(std::string_view text) {
    return read_json<Part>(text, read_part);
}

std::optional<Envelope> envelope_from_json(std::string_view text) {
    return read_json<Envelope>(text, read_envelope);
}

}  // namespace postimap::mime
