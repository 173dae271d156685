#include "storage/mime/message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace postimap::mime {
namespace {

using Path = std::vector<unsigned>;

// Lines joined with CRLF (and one after the last).
std::string crlf(std::initializer_list<std::string_view> lines) {
    std::string out;
    for (auto line : lines) {
        out += line;
        out += "\r\n";
    }
    return out;
}

std::string to_lf(std::string s) {
    std::string out;
    for (char c : s) {
        if (c != '\r')
            out += c;
    }
    return out;
}

std::string content_type(const Part* p) {
    return p ? p->type + "/" + p->subtype : "(none)";
}

// RFC 2046 5.1.1
const std::string kRfc2046Simple = crlf({
    "From: Nathaniel Borenstein <nsb@bellcore.com>",
    "To: Ned Freed <ned@innosoft.com>",
    "Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)",
    "Subject: Sample message",
    "MIME-Version: 1.0",
    "Content-type: multipart/mixed; boundary=\"simple boundary\"",
    "",
    "This is the preamble.  It is to be ignored, though it",
    "is a handy place for composition agents to include an",
    "explanatory note to non-MIME conformant readers.",
    "",
    "--simple boundary",
    "",
    "This is implicitly typed plain US-ASCII text.",
    "It does NOT end with a linebreak.",
    "--simple boundary",
    "Content-type: text/plain; charset=us-ascii",
    "",
    "This is explicitly typed plain US-ASCII text.",
    "It DOES end with a linebreak.",
    "",
    "--simple boundary--",
    "",
    "This is the epilogue.  It is also to be ignored.",
});

// RFC 2049 Appendix A
const std::string kRfc2049Complex = crlf({
    "MIME-Version: 1.0",
    "From: Nathaniel Borenstein <nsb@nsb.fv.com>",
    "To: Ned Freed <ned@innosoft.com>",
    "Date: Fri, 07 Oct 1994 16:15:05 -0700 (PDT)",
    "Subject: A multipart example",
    "Content-Type: multipart/mixed;",
    "              boundary=unique-boundary-1",
    "",
    "This is the preamble area of a multipart message.",
    "",
    "--unique-boundary-1",
    "",
    "  ... Some text appears here ...",
    "",
    "--unique-boundary-1",
    "Content-type: text/plain; charset=US-ASCII",
    "",
    "This could have been part of the previous part, but",
    "illustrates explicit versus implicit typing of body",
    "parts.",
    "",
    "--unique-boundary-1",
    "Content-Type: multipart/parallel; boundary=unique-boundary-2",
    "",
    "--unique-boundary-2",
    "Content-Type: audio/basic",
    "Content-Transfer-Encoding: base64",
    "",
    "  ... base64-encoded 8000 Hz single-channel",
    "      mu-law-format audio data goes here ...",
    "",
    "--unique-boundary-2",
    "Content-Type: image/jpeg",
    "Content-Transfer-Encoding: base64",
    "",
    "  ... base64-encoded image data goes here ...",
    "",
    "--unique-boundary-2--",
    "",
    "--unique-boundary-1",
    "Content-type: text/enriched",
    "",
    "This is <bold><italic>enriched.</italic></bold>",
    "<smaller>as defined in RFC 1896</smaller>",
    "",
    "Isn't it",
    "<bigger><bigger>cool?</bigger></bigger>",
    "",
    "--unique-boundary-1",
    "Content-Type: message/rfc822",
    "",
    "From: (mailbox in US-ASCII)",
    "To: (address in US-ASCII)",
    "Subject: (subject in US-ASCII)",
    "Content-Type: Text/plain; charset=ISO-8859-1",
    "Content-Transfer-Encoding: Quoted-printable",
    "",
    "  ... Additional text in ISO-8859-1 goes here ...",
    "",
    "--unique-boundary-1--",
});

TEST(ParseMessage, Rfc2046SimpleExample) {
    const std::string& raw = kRfc2046Simple;
    Part root = parse_message(raw);
    EXPECT_EQ(content_type(&root), "multipart/mixed");
    EXPECT_EQ(root.header.offset, 0u);
    EXPECT_TRUE(root.header.in(raw).ends_with("boundary=\"simple boundary\"\r\n\r\n"));
    EXPECT_EQ(root.body.offset, root.header.length);
    EXPECT_EQ(root.body.offset + root.body.length, raw.size());
    ASSERT_TRUE(root.envelope);
    EXPECT_EQ(root.envelope->subject, "Sample message");
    ASSERT_EQ(root.children.size(), 2u);

    const Part& one = root.children[0];
    EXPECT_EQ(one.header.in(raw), "\r\n");
    EXPECT_EQ(one.body.in(raw),
              "This is implicitly typed plain US-ASCII text.\r\n"
              "It does NOT end with a linebreak.");
    EXPECT_EQ(content_type(&one), "text/plain");
    EXPECT_EQ(one.params, (Params{{"charset", "us-ascii"}}));
    EXPECT_EQ(one.lines, 2u);
    EXPECT_FALSE(one.envelope);

    const Part& two = root.children[1];
    EXPECT_EQ(two.header.in(raw), "Content-type: text/plain; charset=us-ascii\r\n\r\n");
    EXPECT_EQ(two.body.in(raw),
              "This is explicitly typed plain US-ASCII text.\r\n"
              "It DOES end with a linebreak.\r\n");
    EXPECT_EQ(two.lines, 2u);
    EXPECT_EQ(two.encoding, "7BIT");
}

TEST(ParseMessage, Rfc2046SimpleExampleWithBareLf) {
    const std::string raw = to_lf(kRfc2046Simple);
    Part root = parse_message(raw);
    ASSERT_EQ(root.children.size(), 2u);
    EXPECT_EQ(root.children[0].header.in(raw), "\n");
    EXPECT_EQ(root.children[0].body.in(raw),
              "This is implicitly typed plain US-ASCII text.\n"
              "It does NOT end with a linebreak.");
    EXPECT_EQ(root.children[1].header.in(raw), "Content-type: text/plain; charset=us-ascii\n\n");
    EXPECT_EQ(root.children[1].body.in(raw),
              "This is explicitly typed plain US-ASCII text.\n"
              "It DOES end with a linebreak.\n");
}

struct SectionCase {
    Path path;
    std::string type;        // of find_part(path)
    std::string body_start;  // find_part(path)->body begins so
};

TEST(ParseMessage, Rfc2049ComplexExampleSections) {
    const std::string& raw = kRfc2049Complex;
    Part root = parse_message(raw);
    const std::vector<SectionCase> cases = {
        {{1}, "text/plain", "  ... Some text appears here ..."},
        {{2}, "text/plain", "This could have been part"},
        {{3}, "multipart/parallel", "--unique-boundary-2\r\n"},
        {{3, 1}, "audio/basic", "  ... base64-encoded 8000 Hz"},
        {{3, 2}, "image/jpeg", "  ... base64-encoded image"},
        {{4}, "text/enriched", "This is <bold>"},
        {{5}, "message/rfc822", "From: (mailbox in US-ASCII)"},
        {{5, 1}, "text/plain", "  ... Additional text"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(::testing::PrintToString(c.path));
        const Part* p = find_part(root, c.path);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(content_type(p), c.type);
        EXPECT_TRUE(p->body.in(raw).starts_with(c.body_start)) << p->body.in(raw);
    }
    for (const Path& nowhere : {Path{0}, Path{6}, Path{1, 1}, Path{3, 3}, Path{3, 1, 1}, Path{5, 2},
                                Path{5, 1, 1}, Path{3, 0}}) {
        EXPECT_EQ(find_part(root, nowhere), nullptr) << ::testing::PrintToString(nowhere);
    }

    // Exact byte ranges of the sections that need care.
    EXPECT_EQ(find_part(root, Path{1})->body.in(raw), "  ... Some text appears here ...\r\n");
    EXPECT_EQ(find_part(root, Path{3, 2})->body.in(raw),
              "  ... base64-encoded image data goes here ...\r\n");
    EXPECT_EQ(find_part(root, Path{3, 2})->encoding, "BASE64");
    EXPECT_TRUE(find_part(root, Path{3})->body.in(raw).ends_with("--unique-boundary-2--\r\n"));
    EXPECT_EQ(find_part(root, Path{5})->header.in(raw), "Content-Type: message/rfc822\r\n\r\n");

    // 5.HEADER and 5.TEXT: the encapsulated message.
    const Part* inner = find_message(root, Path{5});
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(inner, find_part(root, Path{5, 1}));
    EXPECT_EQ(inner->header.in(raw),
              "From: (mailbox in US-ASCII)\r\nTo: (address in US-ASCII)\r\n"
              "Subject: (subject in US-ASCII)\r\nContent-Type: Text/plain; charset=ISO-8859-1\r\n"
              "Content-Transfer-Encoding: Quoted-printable\r\n\r\n");
    EXPECT_EQ(inner->body.in(raw), "  ... Additional text in ISO-8859-1 goes here ...\r\n");
    EXPECT_EQ(inner->encoding, "QUOTED-PRINTABLE");
    EXPECT_EQ(inner->params, (Params{{"charset", "ISO-8859-1"}}));
    ASSERT_TRUE(inner->envelope);
    EXPECT_EQ(inner->envelope->subject, "(subject in US-ASCII)");
    EXPECT_TRUE(inner->envelope->from.empty());  // only a comment
    // The part's body is exactly the encapsulated message.
    const Part* five = find_part(root, Path{5});
    EXPECT_EQ(five->body.offset, inner->header.offset);
    EXPECT_EQ(five->body.length, inner->header.length + inner->body.length);
    EXPECT_EQ(five->lines, 7u);

    EXPECT_EQ(find_message(root, Path{}), &root);
    EXPECT_EQ(find_message(root, Path{4}), nullptr);
    EXPECT_EQ(find_message(root, Path{9}), nullptr);
}

TEST(ParseMessage, NonMultipartPartOneIsTheBody) {
    const std::string raw = crlf({"Subject: x", "", "hello", "world"});
    Part root = parse_message(raw);
    EXPECT_EQ(content_type(&root), "text/plain");
    EXPECT_EQ(root.params, (Params{{"charset", "us-ascii"}}));
    EXPECT_EQ(root.body.in(raw), "hello\r\nworld\r\n");
    EXPECT_EQ(root.lines, 2u);
    EXPECT_TRUE(root.children.empty());
    EXPECT_EQ(find_part(root, Path{}), &root);
    EXPECT_EQ(find_part(root, Path{1}), &root);
    EXPECT_EQ(find_part(root, Path{2}), nullptr);
    EXPECT_EQ(find_part(root, Path{1, 1}), nullptr);
}

TEST(ParseMessage, TopLevelMessageRfc822) {
    const std::string raw =
        crlf({"Subject: outer", "Content-Type: message/rfc822", "", "Subject: inner",
              "Content-Type: multipart/alternative; boundary=b", "", "--b", "", "plain", "--b",
              "Content-Type: text/html", "", "<p>html</p>", "--b--"});
    Part root = parse_message(raw);
    ASSERT_NE(root.encapsulated(), nullptr);
    EXPECT_EQ(root.envelope->subject, "outer");
    EXPECT_EQ(root.encapsulated()->envelope->subject, "inner");
    EXPECT_EQ(find_part(root, Path{1}), &root);
    EXPECT_EQ(find_message(root, Path{1}), root.encapsulated());
    EXPECT_EQ(content_type(find_part(root, Path{1, 1})), "text/plain");
    EXPECT_EQ(find_part(root, Path{1, 1})->body.in(raw), "plain");
    EXPECT_EQ(content_type(find_part(root, Path{1, 2})), "text/html");
    EXPECT_EQ(find_part(root, Path{1, 2})->body.in(raw), "<p>html</p>");
    EXPECT_EQ(find_part(root, Path{1, 3}), nullptr);
}

TEST(ParseMessage, MessageInsideMultipartInsideMessage) {
    const std::string raw = crlf({
        "Content-Type: multipart/mixed; boundary=outer",
        "",
        "--outer",
        "Content-Type: text/plain",
        "",
        "first",
        "--outer",
        "Content-Type: message/rfc822",
        "Content-Description: forwarded",
        "",
        "Subject: forwarded",
        "From: a@b.test",
        "Content-Type: multipart/mixed; boundary=inner",
        "",
        "--inner",
        "",
        "inner one",
        "--inner",
        "Content-Type: message/rfc822",
        "",
        "Subject: deepest",
        "",
        "deep body",
        "--inner--",
        "--outer--",
    });
    Part root = parse_message(raw);
    const Part* two = find_part(root, Path{2});
    ASSERT_NE(two, nullptr);
    EXPECT_EQ(two->description, "forwarded");
    EXPECT_EQ(find_message(root, Path{2})->envelope->subject, "forwarded");
    EXPECT_EQ(find_part(root, Path{2, 1})->body.in(raw), "inner one");
    EXPECT_EQ(content_type(find_part(root, Path{2, 2})), "message/rfc822");
    EXPECT_EQ(find_message(root, Path{2, 2})->envelope->subject, "deepest");
    EXPECT_EQ(find_message(root, Path{2, 2})->body.in(raw), "deep body");
    EXPECT_EQ(find_part(root, Path{2, 2, 1})->body.in(raw), "deep body");
    EXPECT_EQ(find_part(root, Path{2, 2, 1}), find_message(root, Path{2, 2}));
    EXPECT_EQ(find_part(root, Path{2, 3}), nullptr);
    EXPECT_EQ(find_part(root, Path{1, 1}), nullptr);
}

TEST(ParseMessage, DigestChildrenDefaultToMessage) {
    const std::string raw =
        crlf({"Content-Type: multipart/digest; boundary=d", "", "--d", "", "Subject: one", "",
              "body one", "--d", "Content-Type: text/plain", "", "not a message", "--d--"});
    Part root = parse_message(raw);
    ASSERT_EQ(root.children.size(), 2u);
    EXPECT_EQ(content_type(&root.children[0]), "message/rfc822");
    EXPECT_TRUE(root.children[0].params.empty());
    ASSERT_NE(root.children[0].encapsulated(), nullptr);
    EXPECT_EQ(root.children[0].encapsulated()->envelope->subject, "one");
    EXPECT_EQ(content_type(&root.children[1]), "text/plain");
}

TEST(ParseMessage, ContentFields) {
    const std::string raw = crlf({
        "Content-Type: Application/PDF; Name=\"report.pdf\"",
        "Content-Transfer-Encoding: Base64 (binary data)",
        "Content-ID: <part1@example.test>",
        "Content-Description: The report",
        "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==",
        "Content-Disposition: Attachment;",
        " filename*=utf-8''r%C3%A9sum%C3%A9.pdf; size=3",
        "Content-Language: en, de (German)",
        "Content-Location: http://example.test/report.pdf",
        "",
        "AAAA",
    });
    Part p = parse_message(raw);
    EXPECT_EQ(content_type(&p), "application/pdf");
    EXPECT_EQ(p.params, (Params{{"name", "report.pdf"}}));
    EXPECT_EQ(p.encoding, "BASE64");
    EXPECT_EQ(p.id, "<part1@example.test>");
    EXPECT_EQ(p.description, "The report");
    EXPECT_EQ(p.md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
    EXPECT_EQ(p.disposition, "attachment");
    EXPECT_EQ(p.disposition_params,
              (Params{{"filename", "r\xC3\xA9sum\xC3\xA9.pdf"}, {"size", "3"}}));
    EXPECT_EQ(p.language, (std::vector<std::string>{"en", "de"}));
    EXPECT_EQ(p.location, "http://example.test/report.pdf");
    EXPECT_EQ(p.body.length, 6u);
}

TEST(ParseMessage, DefaultsWhenAbsentOrUnreadable) {
    Part absent = parse_message("Subject: x\r\n\r\nbody");
    EXPECT_EQ(content_type(&absent), "text/plain");
    EXPECT_EQ(absent.params, (Params{{"charset", "us-ascii"}}));
    EXPECT_EQ(absent.encoding, "7BIT");
    EXPECT_FALSE(absent.disposition);
    EXPECT_FALSE(absent.id);

    Part unreadable = parse_message("Content-Type: garbage\r\n\r\nbody");
    EXPECT_EQ(content_type(&unreadable), "text/plain");
    EXPECT_EQ(unreadable.params, (Params{{"charset", "us-ascii"}}));

    Part no_charset = parse_message("Content-Type: text/html\r\n\r\nbody");
    EXPECT_EQ(content_type(&no_charset), "text/html");
    EXPECT_TRUE(no_charset.params.empty());
}

struct MultipartCase {
    const char* label;
    std::string raw;
    std::vector<std::string> bodies;  // of the children; empty: read as a text/plain leaf
};

std::ostream& operator<<(std::ostream& os, const MultipartCase& c) {
    return os << c.label;
}

class SplitMultipart : public ::testing::TestWithParam<MultipartCase> {};

TEST_P(SplitMultipart, Children) {
    const auto& c = GetParam();
    Part root = parse_message(c.raw);
    std::vector<std::string> bodies;
    for (const Part& child : root.children)
        bodies.emplace_back(child.body.in(c.raw));
    EXPECT_EQ(bodies, c.bodies);
    if (c.bodies.empty()) {
        EXPECT_EQ(content_type(&root), "text/plain");
        EXPECT_EQ(root.params, (Params{{"charset", "us-ascii"}}));
        EXPECT_FALSE(root.is_multipart());
        EXPECT_EQ(find_part(root, Path{1}), &root);
    } else {
        EXPECT_TRUE(root.is_multipart());
    }
}

const std::string kMixed = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";

INSTANTIATE_TEST_SUITE_P(
    Rfc2046, SplitMultipart,
    ::testing::Values(
        MultipartCase{
            "basic", kMixed + "--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\n", {"one", "two"}},
        MultipartCase{"no_preamble_epilogue_ignored",
                      kMixed + "pre\r\n--b\r\n\r\none\r\n--b--\r\nepilogue\r\n--b\r\n\r\nlost\r\n",
                      {"one"}},
        MultipartCase{"transport_padding", kMixed + "--b \t\r\n\r\none\r\n--b--  \r\n", {"one"}},
        MultipartCase{"prefix_is_not_delimiter",
                      kMixed + "--b\r\n\r\n--bc\r\n--b-x\r\n--b--\r\n",
                      {"--bc\r\n--b-x"}},
        MultipartCase{"not_at_line_start", kMixed + "--b\r\n\r\none --b\r\n--b--", {"one --b"}},
        MultipartCase{"no_final_boundary",
                      kMixed + "--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n",
                      {"one", "two\r\n"}},
        MultipartCase{
            "final_boundary_at_end_without_crlf", kMixed + "--b\r\n\r\none\r\n--b--", {"one"}},
        MultipartCase{
            "empty_parts", kMixed + "--b\r\n--b\r\n\r\n--b\r\n\r\n\r\n--b--", {"", "", ""}},
        MultipartCase{
            "bare_lf",
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n--b--\n",
            {"one", "two"}},
        MultipartCase{
            "mixed_line_ends", kMixed + "--b\n\r\none\n--b\r\n\ntwo\r\n--b--\n", {"one", "two"}},
        MultipartCase{"boundary_with_space_and_specials",
                      "Content-Type: multipart/mixed; boundary=\"=_a b'()+\"\r\n\r\n"
                      "--=_a b'()+\r\n\r\none\r\n--=_a b'()+--\r\n",
                      {"one"}},
        MultipartCase{"missing_boundary_parameter",
                      "Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\none\r\n--b--\r\n",
                      {}},
        MultipartCase{"empty_boundary_parameter",
                      "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\none\r\n",
                      {}},
        MultipartCase{"wrong_boundary", kMixed + "--c\r\n\r\none\r\n--c--\r\n", {}},
        MultipartCase{"closed_before_any_part", kMixed + "--b--\r\n--b\r\n\r\none\r\n", {}},
        MultipartCase{"empty_body", kMixed, {}}));

TEST(ParseMessage, PartWithoutBlankLineIsAllHeader) {
    const std::string raw = kMixed + "--b\r\nContent-Type: text/html\r\n--b--\r\n";
    Part root = parse_message(raw);
    ASSERT_EQ(root.children.size(), 1u);
    EXPECT_EQ(root.children[0].header.in(raw), "Content-Type: text/html");
    EXPECT_EQ(root.children[0].body.length, 0u);
    EXPECT_EQ(root.children[0].body.offset, root.children[0].header.offset + 23);
    EXPECT_EQ(content_type(&root.children[0]), "text/html");
}

TEST(ParseMessage, EncodedMessageRfc822IsALeaf) {
    const std::string raw =
        crlf({"Content-Type: message/rfc822", "Content-Transfer-Encoding: base64", "",
              "U3ViamVjdDogeA0KDQpib2R5DQo="});
    Part root = parse_message(raw);
    EXPECT_EQ(content_type(&root), "message/rfc822");
    EXPECT_TRUE(root.children.empty());
    EXPECT_EQ(root.encapsulated(), nullptr);
    EXPECT_EQ(find_message(root, Path{1}), nullptr);
    EXPECT_EQ(find_part(root, Path{1}), &root);
}

TEST(ParseMessage, MessageGlobalIsEncapsulated) {
    Part root = parse_message("Content-Type: message/global\r\n\r\nSubject: \xC3\xA9\r\n\r\nx");
    ASSERT_NE(root.encapsulated(), nullptr);
    EXPECT_EQ(root.encapsulated()->envelope->subject, "\xC3\xA9");
}

TEST(ParseMessage, HeaderAndEmptyMessages) {
    Part empty = parse_message("");
    EXPECT_EQ(empty.header, (Range{0, 0}));
    EXPECT_EQ(empty.body, (Range{0, 0}));
    EXPECT_EQ(empty.lines, 0u);
    ASSERT_TRUE(empty.envelope);

    const std::string only_header = "Subject: x\r\nFrom: a@b.test\r\n";
    Part header = parse_message(only_header);
    EXPECT_EQ(header.header, (Range{0, only_header.size()}));
    EXPECT_EQ(header.body, (Range{only_header.size(), 0}));
    EXPECT_EQ(header.envelope->subject, "x");

    Part blank = parse_message("\r\nbody");
    EXPECT_EQ(blank.header, (Range{0, 2}));
    EXPECT_EQ(blank.body, (Range{2, 4}));
    EXPECT_EQ(blank.lines, 1u);
}

// Nested multiparts, each one's single child the next; the innermost text.
std::string nested_multiparts(int depth) {
    std::string head, tail;
    for (int i = 0; i < depth; ++i) {
        std::string b = "b" + std::to_string(i);
        head += "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n";
        tail = "\r\n--" + b + "--" + tail;
    }
    return head + "Content-Type: text/plain\r\n\r\ninnermost" + tail;
}

unsigned depth_of(const Part& p) {
    unsigned deepest = 0;
    for (const Part& child : p.children)
        deepest = std::max(deepest, depth_of(child) + 1);
    return deepest;
}

TEST(ParseMessage, NestingBelowTheCapIsParsed) {
    const std::string raw = nested_multiparts(10);
    Part root = parse_message(raw);
    EXPECT_EQ(depth_of(root), 10u);
    Path path(10, 1);
    const Part* innermost = find_part(root, path);
    ASSERT_NE(innermost, nullptr);
    EXPECT_EQ(innermost->body.in(raw), "innermost");
}

TEST(ParseMessage, NestingBeyondTheCapBecomesALeaf) {
    const std::string raw = nested_multiparts(1000);
    Part root = parse_message(raw);
    EXPECT_EQ(depth_of(root), kMaxNesting);
    const Part* p = &root;
    while (!p->children.empty())
        p = &p->children.front();
    EXPECT_EQ(content_type(p), "text/plain");
    EXPECT_TRUE(p->body.in(raw).starts_with("--b50\r\n"));
}

TEST(ParseMessage, PartCountIsCapped) {
    std::string raw = kMixed;
    for (std::size_t i = 0; i < kMaxParts + 500; ++i)
        raw += "--b\r\n\r\nx\r\n";
    Part root = parse_message(raw);
    EXPECT_EQ(root.children.size(), kMaxParts - 1);
    EXPECT_EQ(root.children.back().body.in(raw), "x");
}

TEST(Range, InClamps) {
    EXPECT_EQ((Range{2, 3}.in("abcdef")), "cde");
    EXPECT_EQ((Range{4, 9}.in("abcdef")), "ef");
    EXPECT_EQ((Range{9, 1}.in("abcdef")), "");
}

}  // namespace
}  // namespace postimap::mime
