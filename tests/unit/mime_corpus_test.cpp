// Hostile and broken messages, generated here, and a fixed-seed fuzz loop
// over mutations of them: every one must parse into a consistent tree that
// survives the JSON round trip, with no crash and no exception.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/mime/address.hpp"
#include "storage/mime/encoded_word.hpp"
#include "storage/mime/header.hpp"
#include "storage/mime/message.hpp"
#include "storage/mime/part_json.hpp"
#include "storage/mime/search_text.hpp"
#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

using Path = std::vector<unsigned>;

struct Sample {
    std::string name;
    std::string raw;
};

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i)
        out += s;
    return out;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    std::size_t pos = 0;
    while ((pos = s.find(from, pos)) != std::string::npos) {
        s.replace(pos, from.size(), to);
        pos += to.size();
    }
    return s;
}

const std::string kMultipart =
    "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n"
    "To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\r\n"
    "Cc: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\r\n"
    "Subject: =?ISO-8859-1?Q?Keld_J=F8rn?= test\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=E9=\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PHA+Y2Fmw6k8L3A+\r\n"
    "--inner--\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "From: a@b.test\r\n"
    "\r\n"
    "inner body\r\n"
    "--outer\r\n"
    "Content-Type: application/octet-stream; name*=utf-8''%C3%A9.bin\r\n"
    "Content-Disposition: attachment; filename=\"x.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQ=\r\n"
    "--outer--\r\n"
    "epilogue\r\n";

std::string nested(std::size_t depth, bool messages, const std::string& innermost = "innermost") {
    std::string head, tail;
    for (std::size_t i = 0; i < depth; ++i) {
        if (messages) {
            head +=
                "Subject: level " + std::to_string(i) + "\r\nContent-Type: message/rfc822\r\n\r\n";
        } else {
            std::string b = "b" + std::to_string(i);
            head += "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n";
            tail = "\r\n--" + b + "--" + tail;
        }
    }
    return head + "\r\n" + innermost + tail;
}

std::string alternating(std::size_t depth) {
    std::string head, tail;
    for (std::size_t i = 0; i < depth; ++i) {
        std::string b = "=_" + std::to_string(i);
        head += "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n--" + b +
                "\r\nContent-Type: message/rfc822\r\n\r\nSubject: " + std::to_string(i) + "\r\n";
        tail = "\r\n--" + b + "--" + tail;
    }
    return head + "\r\ninnermost" + tail;
}

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (char& c : out)
        c = static_cast<char>(rng() & 0xFF);
    return out;
}

std::vector<Sample> corpus() {
    const std::string mixed_b = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    std::vector<Sample> out = {
        {"empty", ""},
        {"only_blank_line", "\r\n"},
        {"lone_cr", "\r"},
        {"only_header_no_newline", "Subject: x"},
        {"only_headers",
         "Subject: x\r\nFrom: a@b.test\r\nContent-Type: multipart/mixed; boundary=b\r\n"},
        {"multipart", kMultipart},
        {"bare_lf", replace_all(kMultipart, "\r\n", "\n")},
        {"cr_only", replace_all(kMultipart, "\r\n", "\r")},
        {"missing_boundary", "Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n"},
        {"wrong_boundary", mixed_b + "--c\r\n\r\nx\r\n--c--\r\n"},
        {"no_final_boundary",
         mixed_b + "--b\r\n\r\nx\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>"},
        {"ends_with_open_delimiter", mixed_b + "--b\r\n\r\nx\r\n--b"},
        {"empty_parts", mixed_b + "--b\r\n--b\r\n\r\n--b\r\n\r\n\r\n--b--"},
        {"boundary_too_long", "Content-Type: multipart/mixed; boundary=" + std::string(300, 'z') +
                                  "\r\n\r\n--" + std::string(300, 'z') + "\r\n\r\nx\r\n"},
        {"prefix_boundaries",
         "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
         "Content-Type: multipart/mixed; "
         "boundary=b-b\r\n\r\n--b-b\r\n\r\ninner\r\n--b\r\n\r\nouter\r\n--b--"},
        {"8bit_headers",
         "From: J\xF6rg M\xFCller <j@example.test>\r\nTo: \xC3\xA9t\xC3\xA9 <e@x.test>\r\n"
         "Subject: caf\xE9 \xC3\xA9 \xFF\xFE\r\nContent-Type: text/plain; "
         "name=\"r\xE9sum\xE9.txt\"\r\n"
         "Content-Description: \x80\x81\r\n\r\nbody \xE9\r\n"},
        {"unknown_charset",
         "Subject: =?x-klingon?Q?=E9=FF?= =?x-klingon?B?////?=\r\n"
         "Content-Type: text/plain; charset=x-klingon\r\n\r\n\xE9\xFF\xC3\xA9\r\n"},
        {"nul_bytes", std::string("Subj\0ect: a\0b\r\nFrom: <a\0@b>\r\n\r\nbo\0dy", 37)},
        {"junk_header_lines",
         "not a header\r\n: empty name\r\n  continuation without field\r\nX: y\r\n"
         "Bad Name: z\r\n\r\nbody"},
        {"address_garbage",
         "From: <<<@@@>>>,,;;::\"(((\r\nTo: ;;;:::,,,<>\r\nCc: \"\\\r\nBcc: ((((\r\n"
         "Sender: a@b@c@d, :;, @, <@:>\r\nReply-To: G1: G2: a@b; ;\r\n\r\n"},
        {"rfc2231_nasty",
         "Content-Type: text/plain; a*0*=utf-8'; a*9999=x; a*99999=y; b*=''%; c*1=z; "
         "d*0*=\xFF'\xFF'%FF\r\n\r\n"},
        {"encoded_word_nasty",
         "Subject: =?=?=?utf-8?q?=?= =?utf-8?b?=?= =?"
         "?= =?utf-8?q?" +
             std::string(1000, '=') + "?= =?utf-16?b?2D3YPQ==?=\r\n\r\n"},
        {"comment_nesting", "Content-Type: text/plain; " + std::string(100000, '(') + "\r\n\r\nx"},
        {"quote_storm", "Content-Type: " + std::string(100000, '"') +
                            "\r\nTo: " + std::string(100000, '"') + "\r\n\r\nx"},
        {"base64_rfc822",
         "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: "
         "base64\r\n\r\nU3ViamVjdDogeA0K\r\n"},
        {"digest",
         "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\n1\r\n"
         "--d\r\n\r\n\r\n--d--\r\n"},
        {"deep_multipart_1000", nested(1000, false)},
        {"deep_message_1000", nested(1000, true)},
        {"deep_alternating_500", alternating(500)},
        {"header_line_1mb", "Subject: " + std::string(1 << 20, 'a') + "\r\n\r\nbody"},
        {"address_list_1mb", "To: " + repeat("a@b.test,\r\n ", (1 << 20) / 12) + "\r\n\r\nbody"},
        {"folded_header_1mb", "X-Long: " + repeat("word\r\n ", (1 << 20) / 7) + "\r\n\r\nbody"},
        // Each of these would take minutes if some scan were quadratic.
        {"encoded_word_candidates_1mb", "Subject: " + repeat("=?a?q?x", 150000) + " ?=\r\n\r\n"},
        {"rfc2231_sections_1mb",
         "Content-Type: text/plain; " + repeat("a*0*=x; a*1=y; ", 70000) + "\r\n\r\n"},
        {"unquoted_words_1mb", "Content-Type: text/plain; a=" + repeat("b ", 500000) + "\r\n\r\n"},
        {"angles_1mb", "To: " + std::string(1 << 20, '<') + "\r\nFrom: " + repeat("a:", 500000) +
                           "\r\nCc: " + repeat("\"a\" ", 250000) + "\r\n\r\n"},
        {"delimiters_1mb", mixed_b + repeat("--b\r\n", 200000)},
        {"nested_60_of_1mb", nested(60, false, repeat("xxxxxxx\r\n", 1 << 17))},
        {"many_parts", mixed_b + repeat("--b\r\n\r\nx\r\n", 20000)},
        {"random_binary", random_bytes(64 * 1024, 1)},
        {"random_after_header",
         "Content-Type: multipart/mixed; boundary=\"\xFF\"\r\n\r\n--\xFF\r\n\r\n" +
             random_bytes(4096, 2)},
    };
    return out;
}

// ---- invariants

unsigned long count_lines(std::string_view body) {
    if (body.empty())
        return 0;
    auto feeds = static_cast<unsigned long>(std::count(body.begin(), body.end(), '\n'));
    return body.back() == '\n' ? feeds : feeds + 1;
}

bool is_lower(const std::string& s) {
    return std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string end_of(const Range& r) {
    return std::to_string(r.offset + r.length);
}

// "" when the part and everything under it is consistent, else what is not.
std::string check_part(const Part& p, std::string_view raw, std::size_t begin, std::size_t end,
                       unsigned depth) {
    if (depth > kMaxNesting)
        return "deeper than the cap";
    if (p.header.offset != begin)
        return "header does not start its range";
    if (p.header.offset + p.header.length != p.body.offset)
        return "body does not follow header";
    if (p.body.offset + p.body.length != end || end > raw.size())
        return "body does not end its range: " + end_of(p.body) + " vs " + std::to_string(end);
    if (p.lines != count_lines(p.body.in(raw)))
        return "line count";
    if (p.type.empty() || p.subtype.empty() || !is_lower(p.type) || !is_lower(p.subtype))
        return "type " + p.type + "/" + p.subtype;
    if (p.type == "multipart" && p.children.empty())
        return "multipart without children";
    if (p.is_multipart()) {
        const Param* boundary = find_param(p.params, "boundary");
        if (!boundary)
            return "multipart without boundary";
        const std::string dash = "--" + boundary->value;
        std::size_t last = p.body.offset;
        for (const Part& child : p.children) {
            std::size_t child_end = child.body.offset + child.body.length;
            if (child.header.offset < last || child_end > end)
                return "child outside its parent or overlapping its sibling";
            // RFC 2046 5.1.1: a part starts after a delimiter line and ends
            // with the line break before the next one (or at the very end).
            if (child.header.offset != end && raw[child.header.offset - 1] != '\n')
                return "child does not start a line";
            std::string_view after = raw.substr(child_end, end - child_end);
            bool empty = child_end == child.header.offset;
            bool at_delimiter =
                after.starts_with("\r\n" + dash) ||
                (after.starts_with("\n" + dash) && (empty || raw[child_end - 1] != '\r')) ||
                (empty && after.starts_with(dash));
            if (child_end != end && !at_delimiter)
                return "child does not end at a delimiter";
            if (auto e = check_part(child, raw, child.header.offset, child_end, depth + 1);
                !e.empty())
                return e;
            last = child_end;
        }
    } else if (const Part* m = p.encapsulated()) {
        if (!m->envelope)
            return "encapsulated message without envelope";
        return check_part(*m, raw, p.body.offset, end, depth + 1);
    } else if (!p.children.empty()) {
        return "leaf with children";
    }
    return "";
}

void visit(const Part& p, Path path, std::vector<std::pair<Path, const Part*>>& out) {
    out.emplace_back(path, &p);
    auto children_of = [&](const Part& container) {
        for (unsigned i = 0; i < container.children.size(); ++i) {
            Path child = path;
            child.push_back(i + 1);
            visit(container.children[i], child, out);
        }
    };
    if (p.is_multipart()) {
        children_of(p);
    } else if (const Part* m = p.encapsulated()) {
        if (m->is_multipart()) {
            children_of(*m);
        } else {
            Path child = path;
            child.push_back(1);
            visit(*m, child, out);
        }
    }
}

// Every part reachable by IMAP numbering is found by find_part, and the
// number 0 never is.
std::string check_numbering(const Part& root) {
    std::vector<std::pair<Path, const Part*>> all;
    if (root.is_multipart()) {
        for (unsigned i = 0; i < root.children.size(); ++i)
            visit(root.children[i], Path{i + 1}, all);
    } else {
        visit(root, Path{1}, all);
    }
    for (auto& [path, part] : all) {
        if (find_part(root, path) != part)
            return "find_part " + ::testing::PrintToString(path);
        path.push_back(0);
        if (find_part(root, path) != nullptr)
            return "find_part found part 0";
    }
    return "";
}

std::string check_everything(std::string_view raw) {
    Part root = parse_message(raw);
    if (!root.envelope)
        return "top level without envelope";
    if (auto e = check_part(root, raw, 0, raw.size(), 0); !e.empty())
        return e;
    if (auto e = check_numbering(root); !e.empty())
        return e;
    std::string json = to_json(root);
    if (!is_valid_utf8(json) || json.find('\0') != std::string::npos)
        return "JSON is not valid UTF-8";
    auto back = part_from_json(json);
    if (!back)
        return "JSON does not parse back";
    if (!(*back == root))
        return "JSON round trip differs";
    if (to_json(*back) != json)
        return "JSON not stable";
    std::string text = search_text(root, raw);
    if (!is_valid_utf8(text) || text.size() > kSearchTextLimit)
        return "search text";
    for (const HeaderField& f : parse_header(raw).fields) {
        if (!is_valid_utf8(decode_header_text(f.value)))
            return "decoded header is not UTF-8";
        parse_address_list(f.value);
    }
    return "";
}

class Corpus : public ::testing::TestWithParam<Sample> {};

TEST_P(Corpus, ParsesConsistently) {
    std::string error;
    EXPECT_NO_THROW(error = check_everything(GetParam().raw));
    EXPECT_EQ(error, "");
}

INSTANTIATE_TEST_SUITE_P(Nasty, Corpus, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Sample>& info) {
                             return info.param.name;
                         });

TEST(Corpus, ExpectedShapes) {
    auto root_of = [](const std::string& name) {
        for (const auto& s : corpus()) {
            if (s.name == name)
                return std::make_pair(parse_message(s.raw), s.raw);
        }
        ADD_FAILURE() << name;
        return std::make_pair(Part{}, std::string());
    };
    EXPECT_EQ(root_of("multipart").first.children.size(), 4u);
    EXPECT_EQ(root_of("bare_lf").first.children.size(), 4u);
    EXPECT_EQ(root_of("missing_boundary").first.type, "text");
    EXPECT_EQ(root_of("wrong_boundary").first.type, "text");
    EXPECT_EQ(root_of("no_final_boundary").first.children.size(), 2u);
    EXPECT_EQ(root_of("empty_parts").first.children.size(), 3u);
    EXPECT_EQ(root_of("boundary_too_long").first.type, "text");
    EXPECT_EQ(root_of("header_line_1mb").first.envelope->subject->size(), std::size_t{1} << 20);
    EXPECT_EQ(root_of("address_list_1mb").first.envelope->to.size(), std::size_t{(1 << 20) / 12});
    auto [deep, deep_raw] = root_of("deep_message_1000");
    const Part* p = &deep;
    unsigned levels = 0;
    while (const Part* m = p->encapsulated()) {
        p = m;
        ++levels;
    }
    EXPECT_EQ(levels, kMaxNesting);
    EXPECT_EQ(p->type, "message");  // kept as a leaf
    EXPECT_TRUE(p->envelope);
}

// One random change of a few kinds, biased towards what MIME parsers trip on.
void mutate(std::string& s, std::mt19937& rng) {
    static const std::vector<std::string> kTokens = {
        "\r\n",
        "\n",
        "\r",
        "--",
        "--outer",
        "--inner--",
        "--b\r\n",
        "\r\n\r\n",
        ":",
        ";",
        "\"",
        "(",
        ")",
        "<",
        ">",
        "@",
        ",",
        "\\",
        "=?",
        "?=",
        "=?utf-8?b?",
        "*0*=",
        "''",
        "%",
        "\0",
        "\xFF",
        "\xC3",
        "Content-Type: multipart/mixed; boundary=b\r\n",
        "Content-Type: message/rfc822\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        " ",
        "\t"};
    auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
    std::size_t pos = pick(s.size() + 1);
    switch (rng() % 7) {
        case 0:
            if (!s.empty())
                s[pick(s.size())] = static_cast<char>(rng() & 0xFF);
            break;
        case 1:
            s.insert(pos, 1, static_cast<char>(rng() & 0xFF));
            break;
        case 2:
            s.erase(pos, pick(64) + 1);
            break;
        case 3: {
            const std::string& t = kTokens[pick(kTokens.size())];
            s.insert(pos, t.empty() ? std::string(1, '\0') : t);
            break;
        }
        case 4: {
            std::size_t len = pick(256) + 1;
            std::string copy = s.substr(pos, len);
            s.insert(pick(s.size() + 1), copy);
            break;
        }
        case 5:
            s.resize(pos);
            break;
        default:
            if (!s.empty())
                s[pick(s.size())] ^= static_cast<char>(1 << (rng() % 8));
            break;
    }
}

TEST(Corpus, FixedSeedFuzz) {
    std::vector<std::string> seeds;
    for (const auto& s : corpus()) {
        if (s.raw.size() <= 64 * 1024)
            seeds.push_back(s.raw);
    }
    std::mt19937 rng(20240601);
    int failures = 0;
    for (int i = 0; i < 3000 && failures < 5; ++i) {
        std::string raw = seeds[rng() % seeds.size()];
        int changes = 1 + static_cast<int>(rng() % 8);
        for (int k = 0; k < changes; ++k)
            mutate(raw, rng);
        std::string error;
        try {
            error = check_everything(raw);
        } catch (const std::exception& e) {
            error = std::string("threw ") + e.what();
        }
        if (!error.empty()) {
            ++failures;
            ADD_FAILURE() << "iteration " << i << ": " << error << "\n"
                          << ::testing::PrintToString(raw.substr(0, 2000));
        }
    }
}

}  // namespace
}  // namespace postimap::mime
