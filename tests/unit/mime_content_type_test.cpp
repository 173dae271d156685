#include "storage/mime/content_type.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postimap::mime {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

struct TypeCase {
    const char* label;
    std::string value;
    std::optional<std::string> type;  // "type/subtype", nullopt if unreadable
    Params params;
};

std::ostream& operator<<(std::ostream& os, const TypeCase& c) {
    return os << c.label;
}

class ParseContentType : public ::testing::TestWithParam<TypeCase> {};

TEST_P(ParseContentType, Parses) {
    const auto& c = GetParam();
    auto ct = parse_content_type(c.value);
    ASSERT_EQ(ct.has_value(), c.type.has_value());
    if (!ct)
        return;
    EXPECT_EQ(ct->type + "/" + ct->subtype, *c.type);
    EXPECT_EQ(ct->params, c.params);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc2045, ParseContentType,
    ::testing::Values(
        TypeCase{"bare", "text/plain", "text/plain", {}},
        TypeCase{"case_folded",
                 "Text/Plain; Charset=\"US-ASCII\"",
                 "text/plain",
                 {{"charset", "US-ASCII"}}},
        TypeCase{"comment_after_value",
                 "text/plain; charset=us-ascii (Plain text)",
                 "text/plain",
                 {{"charset", "us-ascii"}}},
        TypeCase{"comments_and_spaces",
                 "(c) text / html (c) ; charset = utf-8",
                 "text/html",
                 {{"charset", "utf-8"}}},
        TypeCase{"quoted_boundary",
                 "multipart/mixed;\tboundary=\"simple boundary\"",
                 "multipart/mixed",
                 {{"boundary", "simple boundary"}}},
        TypeCase{"unquoted_boundary_with_equals",
                 "multipart/mixed; boundary=----=_Part_0_1.2",
                 "multipart/mixed",
                 {{"boundary", "----=_Part_0_1.2"}}},
        TypeCase{
            "quoted_pair", "text/plain; a=\"q\\\"uote\\\\\"", "text/plain", {{"a", "q\"uote\\"}}},
        TypeCase{"unquoted_with_space",
                 "application/pdf; name=My File.pdf",
                 "application/pdf",
                 {{"name", "My File.pdf"}}},
        TypeCase{
            "missing_semicolon", "text/plain charset=utf-8", "text/plain", {{"charset", "utf-8"}}},
        TypeCase{"missing_semicolon_between_params",
                 "text/plain; charset=utf-8 format=flowed",
                 "text/plain",
                 {{"charset", "utf-8"}, {"format", "flowed"}}},
        TypeCase{"empty_params_and_junk",
                 "text/plain; ;; =junk; \"quoted junk\"; charset=x;",
                 "text/plain",
                 {{"charset", "x"}}},
        TypeCase{"empty_value", "text/plain; a=; b=\"\"", "text/plain", {{"a", ""}, {"b", ""}}},
        TypeCase{"duplicate_first_wins", "text/plain; a=1; A=2", "text/plain", {{"a", "1"}}},
        TypeCase{"unterminated_quote", "text/plain; name=\"abc", "text/plain", {{"name", "abc"}}},
        TypeCase{
            "8bit_value_kept", "text/plain; name=\"caf\xE9\"", "text/plain", {{"name", "caf\xE9"}}},
        TypeCase{"no_subtype", "text", std::nullopt, {}},
        TypeCase{"empty_subtype", "text/", std::nullopt, {}},
        TypeCase{"no_type", "/plain", std::nullopt, {}}, TypeCase{"empty", "", std::nullopt, {}},
        TypeCase{"garbage", "; charset=x", std::nullopt, {}}));

INSTANTIATE_TEST_SUITE_P(
    Rfc2231, ParseContentType,
    ::testing::Values(
        // RFC 2231 section 3
        TypeCase{"continuation",
                 "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n"
                 " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
                 "message/external-body",
                 {{"access-type", "URL"},
                  {"url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"}}},
        // RFC 2231 section 4
        TypeCase{"charset_and_language",
                 "application/x-stuff;\r\n"
                 "         title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
                 "application/x-stuff",
                 {{"title", "This is ***fun***"}}},
        // RFC 2231 section 4.1, exactly as printed there (no semicolons)
        TypeCase{"combined_as_printed",
                 "application/x-stuff\r\n"
                 "    title*0*=us-ascii'en'This%20is%20even%20more%20\r\n"
                 "    title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n"
                 "    title*2=\"isn't it!\"",
                 "application/x-stuff",
                 {{"title", "This is even more ***fun*** isn't it!"}}},
        TypeCase{"combined_with_semicolons",
                 "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20;"
                 " title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
                 "application/x-stuff",
                 {{"title", "This is even more ***fun*** isn't it!"}}},
        TypeCase{"utf8_filename",
                 "application/pdf; name*=UTF-8''%E2%82%AC%20rates.pdf",
                 "application/pdf",
                 {{"name", "\xE2\x82\xAC rates.pdf"}}},
        TypeCase{"latin1_filename",
                 "application/pdf; name*=iso-8859-1'fr'caf%E9.pdf",
                 "application/pdf",
                 {{"name", "caf\xC3\xA9.pdf"}}},
        TypeCase{"multibyte_split_across_sections",
                 "text/plain; name*0*=utf-8''%C3; name*1*=%A9",
                 "text/plain",
                 {{"name", "\xC3\xA9"}}},
        TypeCase{"sections_out_of_order",
                 "text/plain; a*1=b; a*0=a; a*2=c",
                 "text/plain",
                 {{"a", "abc"}}},
        TypeCase{"gap_ends_value", "text/plain; a*0=x; a*2=z", "text/plain", {{"a", "x"}}},
        TypeCase{"extended_wins_over_plain",
                 "text/plain; name=\"fallback.pdf\"; name*=utf-8''real.pdf",
                 "text/plain",
                 {{"name", "real.pdf"}}},
        TypeCase{"no_section_zero_uses_plain",
                 "text/plain; a*1=x; b=1; a=plain",
                 "text/plain",
                 {{"a", "plain"}, {"b", "1"}}},
        TypeCase{"no_section_zero_dropped", "text/plain; a*1=x", "text/plain", {}},
        TypeCase{"empty_charset", "text/plain; a*=''%41%42", "text/plain", {{"a", "AB"}}},
        TypeCase{"no_quotes_in_encoded", "text/plain; a*=%41%42", "text/plain", {{"a", "AB"}}},
        TypeCase{"unknown_charset",
                 "text/plain; a*=x-bogus''%41%E9",
                 "text/plain",
                 {{"a", "A" + kReplacement}}},
        TypeCase{"bad_percent_kept",
                 "text/plain; a*=utf-8''100%; b*=utf-8''%zz",
                 "text/plain",
                 {{"a", "100%"}, {"b", "%zz"}}},
        TypeCase{"name_case_folded",
                 "text/plain; TITLE*0=a; title*1=b",
                 "text/plain",
                 {{"title", "ab"}}},
        TypeCase{"odd_star_names_are_plain",
                 "text/plain; a*b=1; *=2; c**=3",
                 "text/plain",
                 {{"a*b", "1"}, {"*", "2"}, {"c**", "3"}}},
        TypeCase{"huge_section_number_is_plain",
                 "text/plain; a*99999999999=1",
                 "text/plain",
                 {{"a*99999999999", "1"}}}));

TEST(ParseContentDisposition, TypeAndParams) {
    auto d = parse_content_disposition("Attachment; filename=\"a b.txt\"; size=12");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->type, "attachment");
    EXPECT_EQ(d->params, (Params{{"filename", "a b.txt"}, {"size", "12"}}));

    d = parse_content_disposition(" INLINE ");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->type, "inline");
    EXPECT_TRUE(d->params.empty());

    EXPECT_FALSE(parse_content_disposition(""));
    EXPECT_FALSE(parse_content_disposition("; filename=x"));
}

TEST(ParseTransferEncoding, Token) {
    EXPECT_EQ(parse_transfer_encoding(" Base64 "), "BASE64");
    EXPECT_EQ(parse_transfer_encoding("(comment) quoted-printable"), "QUOTED-PRINTABLE");
    EXPECT_EQ(parse_transfer_encoding("8bit (really)"), "8BIT");
    EXPECT_EQ(parse_transfer_encoding(""), "7BIT");
    EXPECT_EQ(parse_transfer_encoding("()"), "7BIT");
}

TEST(ParseLanguageList, Tags) {
    EXPECT_EQ(parse_language_list("en, de-AT (Austrian)"),
              (std::vector<std::string>{"en", "de-AT"}));
    EXPECT_EQ(parse_language_list("fr"), (std::vector<std::string>{"fr"}));
    EXPECT_EQ(parse_language_list(" , ,"), (std::vector<std::string>{}));
    EXPECT_EQ(parse_language_list(""), (std::vector<std::string>{}));
}

TEST(FindParam, CaseInsensitive) {
    Params params{{"charset", "utf-8"}, {"format", "flowed"}};
    ASSERT_NE(find_param(params, "CHARSET"), nullptr);
    EXPECT_EQ(find_param(params, "CHARSET")->value, "utf-8");
    EXPECT_EQ(find_param(params, "name"), nullptr);
}

}  // namespace
}  // namespace postimap::mime
