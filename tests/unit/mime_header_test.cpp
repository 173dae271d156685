#include "storage/mime/header.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/mime/date.hpp"

namespace postimap::mime {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The message is header + body; parse_header must report header.size() as
// header_size, so the expected body offset is not counted by hand.
struct HeaderCase {
    const char* label;
    std::string header;
    std::string body;
    Fields fields;
};

std::ostream& operator<<(std::ostream& os, const HeaderCase& c) {
    return os << c.label;
}

Fields fields_of(const HeaderBlock& block) {
    Fields out;
    for (const auto& f : block.fields)
        out.emplace_back(f.name, f.value);
    return out;
}

class ParseHeaderTest : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(ParseHeaderTest, SizeAndFields) {
    const auto& c = GetParam();
    const std::string raw = c.header + c.body;
    HeaderBlock block = parse_header(raw);
    EXPECT_EQ(block.header_size, c.header.size());
    EXPECT_EQ(raw.substr(block.header_size), c.body);
    EXPECT_EQ(fields_of(block), c.fields);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseHeaderTest,
    ::testing::Values(
        HeaderCase{"crlf_with_body",
                   "From: a@example.com\r\nSubject: hi\r\n\r\n",
                   "body\r\n",
                   {{"From", "a@example.com"}, {"Subject", "hi"}}},
        HeaderCase{"lf_with_body",
                   "From: a@example.com\nSubject: hi\n\n",
                   "body\n",
                   {{"From", "a@example.com"}, {"Subject", "hi"}}},
        HeaderCase{"mixed_crlf_then_lf", "A: 1\r\nB: 2\r\n\n", "body", {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"mixed_lf_then_crlf", "A: 1\nB: 2\n\r\n", "body", {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"folding_crlf",
                   "Subject: a\r\n b\r\n\tc\r\nX: y\r\n\r\n",
                   "",
                   {{"Subject", "a b\tc"}, {"X", "y"}}},
        HeaderCase{"folding_lf", "Subject: a\n  b\n\r\n", "x", {{"Subject", "a  b"}}},
        HeaderCase{"folded_right_after_colon",
                   "To:\r\n    x@example.com\r\n\r\n",
                   "",
                   {{"To", "x@example.com"}}},
        HeaderCase{"trailing_whitespace_trimmed", "A:   v  \t \r\n\r\n", "", {{"A", "v"}}},
        HeaderCase{
            "inner_whitespace_kept_across_fold", "A: x  \r\n  y\r\n\r\n", "", {{"A", "x    y"}}},
        HeaderCase{"empty_value", "A:\r\nB:   \r\n\r\n", "", {{"A", ""}, {"B", ""}}},
        HeaderCase{"colon_in_value", "Date: 09:55:06\r\n\r\n", "", {{"Date", "09:55:06"}}},
        HeaderCase{"no_space_after_colon", "A:b\n\n", "", {{"A", "b"}}},
        HeaderCase{"no_body_crlf", "A: 1\r\n\r\n", "", {{"A", "1"}}},
        HeaderCase{"no_body_lf", "A: 1\n\n", "", {{"A", "1"}}},
        HeaderCase{"no_header_end_with_newline", "A: 1\r\nB: 2\r\n", "", {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"no_header_end_no_newline", "A: 1\r\nB: 2", "", {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"no_header_end_trailing_cr", "A: 1\r\nB: 2\r", "", {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"lone_cr_line_at_end", "A: 1\r\n\r", "", {{"A", "1"}}},
        HeaderCase{"empty_message", "", "", {}},
        HeaderCase{"only_empty_line_crlf", "\r\n", "body", {}},
        HeaderCase{"only_empty_line_lf", "\n", "body", {}},
        HeaderCase{"body_starts_with_empty_line", "A: 1\r\n\r\n", "\r\nsecond\r\n", {{"A", "1"}}},
        HeaderCase{"eight_bit",
                   "Subject: Gr\xc3\xbc\xc3\x9f\xff\x80\r\n X\xfe\r\n\r\n",
                   "\xff body",
                   {{"Subject", "Gr\xc3\xbc\xc3\x9f\xff\x80 X\xfe"}}},
        HeaderCase{"nul_byte_in_value",
                   std::string("A: x\0y\n\n", 8),
                   "",
                   {{"A", std::string("x\0y", 3)}}},
        HeaderCase{"first_line_continuation", " orphan\r\nA: 1\r\n\r\n", "", {{"A", "1"}}},
        HeaderCase{"line_without_colon_skipped",
                   "A: 1\r\njunk line\r\n folded junk\r\nB: 2\r\n\r\n",
                   "body",
                   {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"invalid_name_skipped",
                   "A: 1\nbad name: x\n\xc3\xa4: y\n: empty\nB: 2\n\n",
                   "",
                   {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"obsolete_space_before_colon", "Subject \t: x\n\n", "", {{"Subject", "x"}}},
        HeaderCase{"mbox_from_line",
                   "From a@example.com Mon Jan  1 00:00:00 2001\nFrom: a@example.com\n\n",
                   "b",
                   {{"From", "a@example.com"}}},
        HeaderCase{"mbox_from_line_only", "From a@example.com Mon Jan  1 00:00:00 2001", "", {}},
        HeaderCase{"mbox_from_line_not_first",
                   "A: 1\nFrom x Mon Jan  1 00:00:00 2001\n\n",
                   "",
                   {{"A", "1"}}},
        HeaderCase{"from_field_first_not_mbox", "From: x\n\n", "", {{"From", "x"}}},
        HeaderCase{"whitespace_only_line_is_continuation",
                   "A: 1\r\n \r\nB: 2\r\n\r\n",
                   "",
                   {{"A", "1"}, {"B", "2"}}},
        HeaderCase{"duplicate_fields_in_order",
                   "Received: 1\nReceived: 2\nReceived: 3\n\n",
                   "",
                   {{"Received", "1"}, {"Received", "2"}, {"Received", "3"}}},
        HeaderCase{"blank_line_ends_header_once", "A: 1\n\n", "B: 2\n\nC: 3", {{"A", "1"}}}),
    [](const ::testing::TestParamInfo<HeaderCase>& info) { return std::string(info.param.label); });

TEST(ParseHeader, BodyStartsAtHeaderSize) {
    const std::string crlf = "From: a\r\nSubject: folded\r\n  line\r\n\r\nThe body.\r\n";
    HeaderBlock a = parse_header(crlf);
    EXPECT_EQ(a.header_size, 36u);  // 9 + 17 + 8 + 2
    EXPECT_EQ(crlf.substr(a.header_size), "The body.\r\n");

    const std::string lf = "From: a\nSubject: folded\n  line\n\nThe body.\n";
    HeaderBlock b = parse_header(lf);
    EXPECT_EQ(b.header_size, 32u);  // 8 + 16 + 7 + 1
    EXPECT_EQ(lf.substr(b.header_size), "The body.\n");

    const std::string body_starts_blank = "A: 1\r\n\r\n\r\nsecond\r\n";
    HeaderBlock c = parse_header(body_starts_blank);
    EXPECT_EQ(c.header_size, 8u);
    EXPECT_EQ(body_starts_blank.substr(c.header_size), "\r\nsecond\r\n");
}

TEST(ParseHeader, FindIsCaseInsensitiveAndReturnsFirst) {
    HeaderBlock block =
        parse_header("Subject: one\r\nCONTENT-type: text/plain\r\nsubject: two\r\n\r\n");
    const HeaderField* subject = block.find("SUBJECT");
    ASSERT_NE(subject, nullptr);
    EXPECT_EQ(subject->name, "Subject");
    EXPECT_EQ(subject->value, "one");
    EXPECT_EQ(block.find("subject"), subject);

    const HeaderField* type = block.find("Content-Type");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(type->name, "CONTENT-type");
    EXPECT_EQ(type->value, "text/plain");

    EXPECT_EQ(block.find("Content"), nullptr);
    EXPECT_EQ(block.find("Subject "), nullptr);
    EXPECT_EQ(block.find(""), nullptr);
}

TEST(ParseHeader, FindOnEmptyBlock) {
    HeaderBlock block = parse_header("");
    EXPECT_EQ(block.find("From"), nullptr);
}

TEST(ParseHeader, HugeHeader) {
    std::string raw;
    for (int i = 0; i < 20000; ++i)
        raw += "X-Field-" + std::to_string(i) + ": value\r\n";
    raw += "Subject: start\r\n";
    for (int i = 0; i < 50000; ++i)
        raw += " more\r\n";
    const std::size_t header_end = raw.size() + 2;
    raw += "\r\nbody";

    HeaderBlock block = parse_header(raw);
    EXPECT_EQ(block.header_size, header_end);
    ASSERT_EQ(block.fields.size(), 20001u);
    EXPECT_EQ(block.fields[19999].name, "X-Field-19999");
    const HeaderField* subject = block.find("subject");
    ASSERT_NE(subject, nullptr);
    EXPECT_EQ(subject->value.size(), std::string("start").size() + 50000 * 5);
}

// Inputs meant to end in awkward places when cut short.
const std::vector<std::string>& tricky_inputs() {
    static const std::vector<std::string> inputs = {
        "From a@b Mon Jan  1 00:00:00 2001\r\nFrom: a\r\n folded\r\n\tagain\r\n\r\nbody\r\n",
        " lead\n:x\nA:\r\r\n\r\r\n\n\nB: c",
        "A: \xff\xfe\x00\x80\r\n\xc3\xa4: x\r\nno colon\r\n  cont\r\n\r",
        "Date: Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
        "               -0330 (Newfoundland Time)\r\n\r\n",
        "Fri, 21 Nov 1997 09:55:06 -0600",
        "Thu, 13 Feb 1969 23:32:54 -0330 ((nested) \\) comment)",
        "21 Nov 97 09:55 GMT",
        "(((((((((( 1 Jan 2000 00:00:00 +0000 \\",
        "Tue, 29 Feb 2000 23:59:60 +9959 (x)",
    };
    return inputs;
}

TEST(ParseFuzz, EveryPrefixOfTrickyInputs) {
    for (const auto& input : tricky_inputs()) {
        for (std::size_t n = 0; n <= input.size(); ++n) {
            std::string_view prefix(input.data(), n);
            HeaderBlock block = parse_header(prefix);
            EXPECT_LE(block.header_size, prefix.size());
            for (const auto& f : block.fields)
                EXPECT_FALSE(f.name.empty());
            (void)parse_rfc5322_date(prefix);
            // And every suffix, so parsing starts in odd places too.
            std::string_view suffix = std::string_view(input).substr(n);
            EXPECT_LE(parse_header(suffix).header_size, suffix.size());
            (void)parse_rfc5322_date(suffix);
        }
    }
}

TEST(ParseFuzz, PseudoRandomBytes) {
    std::mt19937 rng(20240601u);  // fixed seed: the same inputs every run
    // Bytes that matter to the parsers, so random strings reach deep states.
    const std::string alphabet = "\r\n \t:()\\+-,0123456789JanFebNovGMTUTzFrom\xff\x80";
    for (int round = 0; round < 4000; ++round) {
        const std::size_t length = rng() % 200;
        const bool any_byte = round % 2 == 0;
        std::string s;
        s.reserve(length);
        for (std::size_t i = 0; i < length; ++i) {
            s += any_byte ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()];
        }
        HeaderBlock block = parse_header(s);
        EXPECT_LE(block.header_size, s.size());
        (void)block.find("from");
        (void)parse_rfc5322_date(s);
    }
}

}  // namespace
}  // namespace postimap::mime
