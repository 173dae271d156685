#include "storage/mime/header_fields.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postimap::mime {
namespace {

using Names = std::vector<std::string>;

const std::string kHeader =
    "From: Alice <alice@example.com>\r\n"
    "To: Bob <bob@example.com>,\r\n"
    "\tCarol <carol@example.com>\r\n"
    "Subject: a folded\r\n"
    "  subject\r\n"
    "X-Mailer: test\r\n"
    "Received: from a\r\n"
    "\tby b\r\n"
    "Received: from c by d\r\n"
    "\r\n";

std::string select(const std::string& header, const Names& names) {
    return select_header_fields(header, names, false);
}

std::string select_not(const std::string& header, const Names& names) {
    return select_header_fields(header, names, true);
}

TEST(HeaderFields, FoldingIsKept) {
    EXPECT_EQ(select(kHeader, {"To"}),
              "To: Bob <bob@example.com>,\r\n"
              "\tCarol <carol@example.com>\r\n"
              "\r\n");
    EXPECT_EQ(select(kHeader, {"Subject"}), "Subject: a folded\r\n  subject\r\n\r\n");
}

TEST(HeaderFields, OrderOfTheMessageNotOfTheRequest) {
    EXPECT_EQ(select(kHeader, {"Subject", "From"}),
              "From: Alice <alice@example.com>\r\n"
              "Subject: a folded\r\n"
              "  subject\r\n"
              "\r\n");
}

TEST(HeaderFields, EveryOccurrenceOfARepeatedField) {
    EXPECT_EQ(select(kHeader, {"received"}),
              "Received: from a\r\n"
              "\tby b\r\n"
              "Received: from c by d\r\n"
              "\r\n");
}

TEST(HeaderFields, NamesAreCaseInsensitive) {
    const std::string want = "X-Mailer: test\r\n\r\n";
    EXPECT_EQ(select(kHeader, {"x-mailer"}), want);
    EXPECT_EQ(select(kHeader, {"X-MAILER"}), want);
    EXPECT_EQ(select(kHeader, {"x-MaIlEr"}), want);
    EXPECT_EQ(select("x-mailer: lower\r\n\r\n", {"X-Mailer"}), "x-mailer: lower\r\n\r\n");
}

TEST(HeaderFields, NamesMatchWholeNotPrefix) {
    EXPECT_EQ(select(kHeader, {"X"}), "\r\n");
    EXPECT_EQ(select(kHeader, {"X-Mail"}), "\r\n");
    EXPECT_EQ(select(kHeader, {"Subjects"}), "\r\n");
}

TEST(HeaderFields, Not) {
    EXPECT_EQ(select_not(kHeader, {"received", "TO", "x-mailer"}),
              "From: Alice <alice@example.com>\r\n"
              "Subject: a folded\r\n"
              "  subject\r\n"
              "\r\n");
    EXPECT_EQ(select_not(kHeader, {"X-Absent"}), kHeader);
}

TEST(HeaderFields, NotEverythingLeavesTheBlankLine) {
    EXPECT_EQ(select_not(kHeader, {"From", "To", "Subject", "X-Mailer", "Received"}), "\r\n");
}

TEST(HeaderFields, NothingMatchesGivesTheBlankLine) {
    EXPECT_EQ(select(kHeader, {"Cc"}), "\r\n");
    EXPECT_EQ(select("", {"Cc"}), "");  // no header, no blank line to return
    EXPECT_EQ(select("\r\n", {"Cc"}), "\r\n");
}

TEST(HeaderFields, BareLineFeedsBecomeCrlf) {
    const std::string lf =
        "From: a@example.com\n"
        "Subject: folded\n"
        "\twith LF\n"
        "X-A: 1\n"
        "\n";
    EXPECT_EQ(select(lf, {"subject"}), "Subject: folded\r\n\twith LF\r\n\r\n");
    EXPECT_EQ(select_not(lf, {"subject"}), "From: a@example.com\r\nX-A: 1\r\n\r\n");
}

TEST(HeaderFields, BlankLineEndsTheResultWhenTheHeaderHasOne) {
    EXPECT_EQ(select("Subject: s\r\nX-A: 1\r\n\r\n", {"x-a"}), "X-A: 1\r\n\r\n");
    EXPECT_EQ(select("Subject: s\n\n", {"subject"}), "Subject: s\r\n\r\n");
}

// RFC 3501 6.4.5: "the blank line is included in all header fetches, except
// in the case of a message which has no body and no blank line".
TEST(HeaderFields, NoBlankLineWhenTheHeaderHasNone) {
    const std::string got = select("Subject: s\r\nX-A: 1\r\n", {"x-a"});
    ASSERT_FALSE(got != "X-A: 1\r\n")
        << "Regression (was a bug): a header block without its blank line (a message with no body "
           "and no blank line) still gets one: input \"Subject: s\\r\\nX-A: "
           "1\\r\\n\", names (x-a); expected \"X-A: 1\\r\\n\", actual "
           "\"X-A: 1\\r\\n\\r\\n\" (select_header_fields always appends CRLF)";
    // The last line without its line break.
    EXPECT_EQ(select("Subject: s\r\nX-A: 1", {"x-a"}), "X-A: 1\r\n");
    EXPECT_EQ(select("Subject: s", {"x-a"}), "");
}

TEST(HeaderFields, StopsAtTheBlankLine) {
    // Whatever follows the header (a body, if the caller passed one) is not
    // header fields.
    EXPECT_EQ(select("Subject: s\r\n\r\nX-A: in the body\r\n", {"x-a"}), "\r\n");
    EXPECT_EQ(select("Subject: s\n\nSubject: body\n", {"subject"}), "Subject: s\r\n\r\n");
}

TEST(HeaderFields, SpaceBeforeTheColon) {
    // RFC 5322 4.5 obsolete syntax: "Subject : x" is the Subject field.
    EXPECT_EQ(select("Subject : spaced\r\n\r\n", {"subject"}), "Subject : spaced\r\n\r\n");
}

TEST(HeaderFields, LinesThatAreNotFieldsAreDropped) {
    const std::string junk =
        "Subject: s\r\n"
        "this line has no colon\r\n"
        "\tand a continuation\r\n"
        "X-A: 1\r\n"
        "\r\n";
    EXPECT_EQ(select_not(junk, {"x-b"}), "Subject: s\r\nX-A: 1\r\n\r\n");
    EXPECT_EQ(select(junk, {"subject"}), "Subject: s\r\n\r\n");
}

TEST(HeaderFields, EmptyValueAndEightBitBytesKept) {
    const std::string h =
        "X-Empty:\r\n"
        "Subject: Caf\xC3\xA9\r\n"
        "\r\n";
    EXPECT_EQ(select(h, {"x-empty"}), "X-Empty:\r\n\r\n");
    EXPECT_EQ(select(h, {"subject"}), "Subject: Caf\xC3\xA9\r\n\r\n");
}

TEST(HeaderFields, CrLfInsideValueIsNotALineBreakWithoutLf) {
    // A lone CR is not a line end; the line is kept as one.
    EXPECT_EQ(select("Subject: a\rb\r\n\r\n", {"subject"}), "Subject: a\rb\r\n\r\n");
}

}  // namespace
}  // namespace postimap::mime
