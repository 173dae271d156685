#include "server/imap/search_key.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "server/imap/date_time.hpp"

namespace postimap::imap {
namespace {

using Key = SearchKey;

struct FlagKeyName {
    std::string_view key;
    std::string_view flag;
};
constexpr FlagKeyName kFlagKeys[] = {{"ANSWERED", "\\Answered"},
                                     {"DELETED", "\\Deleted"},
                                     {"DRAFT", "\\Draft"},
                                     {"FLAGGED", "\\Flagged"},
                                     {"SEEN", "\\Seen"}};

struct HeaderKeyName {
    std::string_view key;
    std::string_view field;
};
constexpr HeaderKeyName kHeaderKeys[] = {
    {"BCC", "Bcc"}, {"CC", "Cc"}, {"FROM", "From"}, {"SUBJECT", "Subject"}, {"TO", "To"}};

struct DateKeyName {
    std::string_view key;
    Key::DateField field;
    Key::DateRelation relation;
};
constexpr DateKeyName kDateKeys[] = {
    {"BEFORE", Key::DateField::internal, Key::DateRelation::before},
    {"ON", Key::DateField::internal, Key::DateRelation::on},
    {"SINCE", Key::DateField::internal, Key::DateRelation::since},
    {"SENTBEFORE", Key::DateField::sent, Key::DateRelation::before},
    {"SENTON", Key::DateField::sent, Key::DateRelation::on},
    {"SENTSINCE", Key::DateField::sent, Key::DateRelation::since}};

struct EntryTypeName {
    std::string_view name;
    Key::EntryType type;
};
constexpr EntryTypeName kEntryTypes[] = {{"priv", Key::EntryType::priv},
                                         {"shared", Key::EntryType::shared},
                                         {"all", Key::EntryType::all}};

Key flag(std::string_view name) {
    return Key{Key::Flag{std::string(name)}};
}

Key negated(Key key) {
    return Key{Key::Not{Key::Boxed(std::move(key))}};
}

// AND of the keys: nested Ands merge into one, and a single key stands alone.
Key all_of(std::vector<Key> keys) {
    std::vector<Key> flat;
    for (auto& key : keys) {
        if (auto* inner = std::get_if<Key::And>(&key.node)) {
            for (auto& k : inner->keys)
                flat.push_back(std::move(k));
        } else {
            flat.push_back(std::move(key));
        }
    }
    if (flat.size() == 1)
        return std::move(flat.front());
    return Key{Key::And{std::move(flat)}};
}

std::string charset_name(const std::string& given) {
    std::string name = ascii_upper(given);
    if (name != "UTF-8" && name != "US-ASCII")
        throw BadCharset();
    return name;
}

// "/flags/" attr-flag (RFC 7162 3.1.5), already unquoted; returns the flag.
std::string modseq_flag(std::string_view entry_name) {
    constexpr std::string_view kPrefix = "/FLAGS/";
    std::string_view flag = entry_name.substr(std::min(entry_name.size(), kPrefix.size()));
    std::string_view atom = flag.starts_with('\\') ? flag.substr(1) : flag;
    if (ascii_upper(entry_name.substr(0, kPrefix.size())) != kPrefix || atom.empty() ||
        !std::all_of(atom.begin(), atom.end(), is_atom_char))
        throw SyntaxError("MODSEQ entry name must be \"/flags/\" and a flag");
    return std::string(flag);
}

Key::EntryType entry_type(std::string_view name) {
    for (const auto& t : kEntryTypes)
        if (ascii_upper(t.name) == ascii_upper(name))
            return t.type;
    throw SyntaxError("MODSEQ entry type must be priv, shared or all");
}

class Parser {
  public:
    explicit Parser(Reader& args) : args_(args) {}

    Key key(int depth) {
        if (depth > kMaxSearchDepth)
            throw SyntaxError("Search keys nested too deeply");
        if (++count_ > kMaxSearchKeys)
            throw SyntaxError("Too many search keys");
        if (args_.accept('('))
            return list(depth);
        if (starts_sequence_set())
            return Key{Key::Msn{args_.sequence_set()}};
        return named(ascii_upper(args_.atom()), depth);
    }

  private:
    bool starts_sequence_set() const {
        return std::ranges::any_of(std::string_view("0123456789*"),
                                   [&](char c) { return args_.peek(c); });
    }

    Key list(int depth) {
        std::vector<Key> keys;
        for (;;) {
            keys.push_back(key(depth + 1));
            if (args_.accept(')'))
                return all_of(std::move(keys));
            if (args_.at_end())
                throw SyntaxError("Missing ')' in search");
            args_.space();
        }
    }

    Key named(const std::string& name, int depth) {
        if (auto key = without_arguments(name))
            return std::move(*key);
        for (const auto& h : kHeaderKeys)
            if (name == h.key)
                return Key{Key::Header{std::string(h.field), string()}};
        for (const auto& d : kDateKeys)
            if (name == d.key)
                return Key{Key::Date{d.field, d.relation, date()}};
        if (name == "KEYWORD")
            return flag(keyword());
        if (name == "UNKEYWORD")
            return negated(flag(keyword()));
        if (name == "HEADER") {
            std::string field = string();
            return Key{Key::Header{std::move(field), string()}};
        }
        if (name == "BODY")
            return Key{Key::Body{string()}};
        if (name == "TEXT")
            return Key{Key::Text{string()}};
        if (name == "LARGER" || name == "SMALLER") {
            args_.space();
            auto relation =
                name == "LARGER" ? Key::SizeRelation::larger : Key::SizeRelation::smaller;
            return Key{Key::Size{relation, args_.number()}};
        }
        if (name == "UID") {
            args_.space();
            return Key{Key::Uid{args_.sequence_set()}};
        }
        if (name == "MODSEQ")
            return modseq();
        if (name == "NOT") {
            args_.space();
            return negated(key(depth + 1));
        }
        if (name == "OR") {
            args_.space();
            Key left = key(depth + 1);
            args_.space();
            return Key{Key::Or{Key::Boxed(std::move(left)), Key::Boxed(key(depth + 1))}};
        }
        throw SyntaxError("Unknown search key " + name);
    }

    static std::optional<Key> without_arguments(std::string_view name) {
        for (const auto& f : kFlagKeys) {
            if (name == f.key)
                return flag(f.flag);
            if (name.starts_with("UN") && name.substr(2) == f.key)
                return negated(flag(f.flag));
        }
        if (name == "ALL")
            return Key{Key::All{}};
        if (name == "RECENT")
            return Key{Key::Recent{}};
        if (name == "OLD")
            return negated(Key{Key::Recent{}});
        if (name == "NEW") {
            std::vector<Key> keys;
            keys.push_back(Key{Key::Recent{}});
            keys.push_back(negated(flag("\\Seen")));
            return Key{Key::And{std::move(keys)}};
        }
        return std::nullopt;
    }

    std::string string() {
        args_.space();
        return args_.astring();
    }

    std::string keyword() {
        args_.space();
        return std::string(args_.atom());  // flag-keyword = atom: no "\Seen" here
    }

    std::int64_t date() {
        args_.space();
        // date = date-text / DQUOTE date-text DQUOTE
        const std::string text = args_.peek('"') ? args_.string() : std::string(args_.atom());
        const auto day = parse_date(text);
        if (!day)
            throw SyntaxError("Invalid date in search (expected e.g. 1-Feb-1994)");
        return *day;
    }

    Key modseq() {
        args_.space();
        Key::ModSeq m{};
        if (args_.peek('"')) {
            std::string flag_name = modseq_flag(args_.string());
            args_.space();
            m.entry = Key::ModSeqEntry{std::move(flag_name), entry_type(args_.atom())};
            args_.space();
        }
        m.value = args_.number64();
        return Key{std::move(m)};
    }

    Reader& args_;
    std::size_t count_ = 0;
};

// ---- to_string ----

std::string imap_string(std::string_view s) {
    const bool literal = std::any_of(s.begin(), s.end(), [](char c) {
        return c == '\r' || c == '\n' || c == '\0' || static_cast<unsigned char>(c) >= 0x80;
    });
    if (literal)
        return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

std::string astring_text(std::string_view s) {
    if (!s.empty() && std::all_of(s.begin(), s.end(), is_atom_char))
        return std::string(s);
    return imap_string(s);
}

std::string date_text(std::int64_t day) {
    std::string text = format_date_time(day).substr(0, 11);  // " 1-Feb-1994"
    return text.starts_with(' ') ? text.substr(1) : text;
}

std::string sequence_text(const SequenceSet& set) {
    auto number = [](std::uint32_t n) {
        return n == SequenceSet::kStar ? std::string("*") : std::to_string(n);
    };
    std::string out;
    for (const auto& r : set.ranges()) {
        if (!out.empty())
            out += ',';
        out += number(r.first);
        if (r.last != r.first)
            out += ':' + number(r.last);
    }
    return out;
}

std::string flag_text(const std::string& name) {
    for (const auto& f : kFlagKeys)
        if (name == f.flag)
            return std::string(f.key);
    return "KEYWORD " + name;
}

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

SearchKey::Boxed::Boxed(SearchKey key) : key_(std::make_unique<SearchKey>(std::move(key))) {}
SearchKey::Boxed::Boxed(const Boxed& other) : key_(std::make_unique<SearchKey>(*other)) {}
SearchKey::Boxed::Boxed(Boxed&& other) noexcept = default;
SearchKey::Boxed& SearchKey::Boxed::operator=(const Boxed& other) {
    key_ = std::make_unique<SearchKey>(*other);
    return *this;
}
SearchKey::Boxed& SearchKey::Boxed::operator=(Boxed&& other) noexcept = default;
SearchKey::Boxed::~Boxed() = default;

std::string SearchKey::to_string() const {
    return std::visit(
        Overloaded{
            [](const All&) -> std::string { return "ALL"; },
            [](const Flag& f) { return flag_text(f.name); },
            [](const Recent&) -> std::string { return "RECENT"; },
            [](const Header& h) {
                return "HEADER " + astring_text(h.field) + " " + imap_string(h.value);
            },
            [](const Body& b) { return "BODY " + imap_string(b.text); },
            [](const Text& t) { return "TEXT " + imap_string(t.text); },
            [](const Date& d) {
                for (const auto& k : kDateKeys)
                    if (k.field == d.field && k.relation == d.relation)
                        return std::string(k.key) + " " + date_text(d.day);
                return std::string("?DATE");  // unreachable: kDateKeys covers every pair
            },
            [](const Size& s) {
                return (s.relation == SizeRelation::larger ? "LARGER " : "SMALLER ") +
                       std::to_string(s.octets);
            },
            [](const ModSeq& m) {
                std::string out = "MODSEQ ";
                if (m.entry) {
                    out += imap_string("/flags/" + m.entry->flag) + " ";
                    for (const auto& t : kEntryTypes)
                        if (t.type == m.entry->type)
                            out += std::string(t.name) + " ";
                }
                return out + std::to_string(m.value);
            },
            [](const Uid& u) { return "UID " + sequence_text(u.set); },
            [](const Msn& m) { return sequence_text(m.set); },
            [](const Not& n) { return "NOT " + n.key->to_string(); },
            [](const Or& o) { return "OR " + o.left->to_string() + " " + o.right->to_string(); },
            [](const And& a) {
                std::string out = "(";
                for (const auto& k : a.keys)
                    out += (out.size() > 1 ? " " : "") + k.to_string();
                return out + ")";
            },
        },
        node);
}

std::string SearchProgram::to_string() const {
    return (charset ? "CHARSET " + *charset + " " : std::string()) + root.to_string();
}

SearchProgram read_search_program(Reader& args) {
    SearchProgram program;
    if (args.accept_keyword("CHARSET")) {
        args.space();
        program.charset = charset_name(args.astring());
        args.space();
    }
    Parser parser(args);
    std::vector<SearchKey> keys;
    for (;;) {
        keys.push_back(parser.key(1));
        if (args.at_end())
            break;
        args.space();
    }
    program.root = all_of(std::move(keys));
    return program;
}

}  // namespace postimap::imap
