#include "server/commands/body_section.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "server/imap/reader.hpp"
#include "storage/mime/message.hpp"
#include "storage/mime/part_json.hpp"

namespace postimap::commands {
namespace {

using Text = BodyRequest::Text;

// Lines joined with CRLF (and one after the last).
std::string crlf(std::initializer_list<std::string_view> lines) {
    std::string out;
    for (auto line : lines) {
        out += line;
        out += "\r\n";
    }
    return out;
}

BodyRequest request(std::vector<unsigned> part, Text text = Text::all,
                    std::vector<std::string> fields = {}) {
    BodyRequest r;
    r.part = std::move(part);
    r.text = text;
    r.fields = std::move(fields);
    return r;
}

// The request as a client writes it: "BODY[2.1.HEADER]" parsed by the
// FETCH item reader.
BodyRequest parsed(const std::string& item) {
    imap::Reader args(item);
    FetchItems items = read_fetch_items(args);
    EXPECT_EQ(items.bodies.size(), 1u) << item;
    return items.bodies.empty() ? BodyRequest{} : items.bodies.front();
}

// Outer multipart/mixed:
//   1      text/plain
//   2      message/rfc822 -> multipart/mixed
//   2.1      message/rfc822 -> text/plain (single part)
//   2.2      text/plain
//   3      multipart/alternative
//   3.1      text/plain
//   3.2      text/html
const std::string kOuterHeader = crlf({
    "From: Outer <outer@example.com>",
    "Subject: outer",
    "MIME-Version: 1.0",
    "Content-Type: multipart/mixed; boundary=\"o\"",
    "",
});
const std::string kPart2Mime = crlf({"Content-Type: message/rfc822", "X-Part: two", ""});
const std::string kInnerHeader = crlf({
    "From: Inner <inner@example.com>",
    "Subject: inner",
    "content-type: Multipart/Mixed;",
    "  boundary=\"i\"",
    "",
});
const std::string kPart21Mime = crlf({"Content-Type: message/rfc822", ""});
const std::string kInnermostHeader = crlf({"Subject: innermost", "X-Deep: yes", ""});
const std::string kInnermost = kInnermostHeader + "deep body";
const std::string kInnerText = crlf({
                                   "--i",
                               }) +
                               kPart21Mime + kInnermost + "\r\n" +
                               crlf({
                                   "--i",
                                   "Content-Type: text/plain",
                                   "",
                                   "inner two",
                                   "--i--",
                               });
const std::string kInner = kInnerHeader + kInnerText;
const std::string kPart3Body = crlf({
    "--a",
    "Content-Type: text/plain",
    "",
    "alt plain",
    "--a",
    "Content-Type: text/html",
    "",
    "<p>alt</p>",
    "--a--",
});
const std::string kOuterText =
    crlf({"preamble", "--o", "Content-Type: text/plain", "", "part one", "--o"}) + kPart2Mime +
    kInner + "\r\n" + crlf({"--o", "Content-Type: multipart/alternative; boundary=a", ""}) +
    kPart3Body + crlf({"--o--", "epilogue"});
const std::string kRaw = kOuterHeader + kOuterText;

class BodySection : public ::testing::TestWithParam<bool> {
  protected:
    void SetUp() override {
        root_ = mime::parse_message(kRaw);
        if (GetParam()) {
            // The copy FETCH actually uses: read back from the stored JSON.
            auto back = mime::part_from_json(mime::to_json(root_));
            ASSERT_TRUE(back.has_value());
            root_ = *back;
        }
    }

    std::string section(const BodyRequest& r) const { return section_bytes(kRaw, root_, r); }
    std::string section(const std::string& item) const { return section(parsed(item)); }

    mime::Part root_;
};

TEST_P(BodySection, WholeMessageHeaderAndText) {
    EXPECT_EQ(section("BODY[]"), kRaw);
    EXPECT_EQ(section("BODY[HEADER]"), kOuterHeader);
    EXPECT_EQ(section("BODY[TEXT]"), kOuterText);
    EXPECT_EQ(section("BODY.PEEK[header]"), kOuterHeader);
}

TEST_P(BodySection, TopLevelParts) {
    EXPECT_EQ(section("BODY[1]"), "part one");
    EXPECT_EQ(section("BODY[1.MIME]"), crlf({"Content-Type: text/plain", ""}));
    // A message/rfc822 part: the whole encapsulated message, header and body.
    EXPECT_EQ(section("BODY[2]"), kInner);
    EXPECT_EQ(section("BODY[2.MIME]"), kPart2Mime);
    // A multipart part: its body, delimiters and all.
    EXPECT_EQ(section("BODY[3]"), kPart3Body.substr(0, kPart3Body.size() - 2));
    EXPECT_EQ(section("BODY[3.MIME]"),
              crlf({"Content-Type: multipart/alternative; boundary=a", ""}));
    EXPECT_EQ(section("BODY[3.1]"), "alt plain");
    EXPECT_EQ(section("BODY[3.2]"), "<p>alt</p>");
    EXPECT_EQ(section("BODY[3.2.MIME]"), crlf({"Content-Type: text/html", ""}));
}

TEST_P(BodySection, EncapsulatedMessage) {
    EXPECT_EQ(section("BODY[2.HEADER]"), kInnerHeader);
    EXPECT_EQ(section("BODY[2.TEXT]"), kInnerText);
    EXPECT_EQ(section("BODY[2.HEADER.FIELDS (subject)]"), "Subject: inner\r\n\r\n");
    EXPECT_EQ(section("BODY[2.HEADER.FIELDS.NOT (Subject From)]"),
              crlf({"content-type: Multipart/Mixed;", "  boundary=\"i\"", ""}));
    // 2.1 and 2.2 are the parts of the message part 2 holds.
    EXPECT_EQ(section("BODY[2.1]"), kInnermost);
    EXPECT_EQ(section("BODY[2.1.MIME]"), kPart21Mime);
    EXPECT_EQ(section("BODY[2.2]"), "inner two");
    EXPECT_EQ(section("BODY[2.2.MIME]"), crlf({"Content-Type: text/plain", ""}));
}

TEST_P(BodySection, HeaderOfAMessageTwoLevelsDown) {
    // 2.1 is a message/rfc822 part inside the message of part 2.
    EXPECT_EQ(section("BODY[2.1.HEADER]"), kInnermostHeader);
    EXPECT_EQ(section("BODY[2.1.TEXT]"), "deep body");
    EXPECT_EQ(section("BODY[2.1.HEADER.FIELDS (X-DEEP)]"), "X-Deep: yes\r\n\r\n");
    EXPECT_EQ(section("BODY[2.1.HEADER.FIELDS.NOT (X-Deep)]"), "Subject: innermost\r\n\r\n");
    // The innermost message is not multipart: its part 1 is its body.
    EXPECT_EQ(section("BODY[2.1.1]"), "deep body");
}

TEST_P(BodySection, HeaderFieldsOfTheMessage) {
    EXPECT_EQ(section("BODY[HEADER.FIELDS (Subject From)]"),
              crlf({"From: Outer <outer@example.com>", "Subject: outer", ""}));
    EXPECT_EQ(section("BODY[HEADER.FIELDS.NOT (Subject From MIME-Version)]"),
              crlf({"Content-Type: multipart/mixed; boundary=\"o\"", ""}));
    EXPECT_EQ(section("BODY[HEADER.FIELDS (X-Absent)]"), "\r\n");
}

TEST_P(BodySection, MissingPartsAreEmpty) {
    for (const char* item : {"BODY[4]", "BODY[4.MIME]", "BODY[2.3]", "BODY[3.3]", "BODY[1.1]",
                             "BODY[2.1.1.1]", "BODY[2.2.1]", "BODY[9.9.9]", "BODY[4.HEADER]",
                             "BODY[4.TEXT]", "BODY[4.HEADER.FIELDS (Subject)]"}) {
        EXPECT_EQ(section(item), "") << item;
    }
}

TEST_P(BodySection, HeaderAndTextOfANonMessagePartAreEmpty) {
    for (const char* item : {"BODY[1.HEADER]", "BODY[1.TEXT]", "BODY[3.HEADER]", "BODY[3.TEXT]",
                             "BODY[2.2.HEADER]", "BODY[1.HEADER.FIELDS (Content-Type)]"}) {
        EXPECT_EQ(section(item), "") << item;
    }
}

TEST_P(BodySection, Rfc822Items) {
    imap::Reader args("(RFC822 RFC822.HEADER RFC822.TEXT)");
    FetchItems items = read_fetch_items(args);
    ASSERT_EQ(items.bodies.size(), 3u);
    EXPECT_EQ(section(items.bodies[0]), kRaw);
    EXPECT_EQ(section(items.bodies[1]), kOuterHeader);
    EXPECT_EQ(section(items.bodies[2]), kOuterText);
    EXPECT_FALSE(items.bodies[0].peek);
    EXPECT_TRUE(items.bodies[1].peek);
    EXPECT_FALSE(items.bodies[2].peek);
}

INSTANTIATE_TEST_SUITE_P(ParsedAndStored, BodySection, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Stored" : "Parsed"; });

// ---- single-part messages ----

TEST(BodySectionSinglePart, PartOneIsTheBody) {
    const std::string header = crlf({"Subject: one", "Content-Type: text/plain", ""});
    const std::string raw = header + "just text\r\n";
    const mime::Part root = mime::parse_message(raw);
    EXPECT_EQ(section_bytes(raw, root, request({1})), "just text\r\n");
    EXPECT_EQ(section_bytes(raw, root, request({}, Text::text)), "just text\r\n");
    EXPECT_EQ(section_bytes(raw, root, request({2})), "");
    EXPECT_EQ(section_bytes(raw, root, request({1, 1})), "");
    EXPECT_EQ(section_bytes(raw, root, request({1}, Text::header)), "");
}

TEST(BodySectionSinglePart, TopLevelMessageRfc822) {
    // The message itself is message/rfc822: 1 is the encapsulated message,
    // 1.HEADER its header.
    const std::string inner = crlf({"Subject: in", "", "inner body"});
    const std::string raw = crlf({"Subject: out", "Content-Type: message/rfc822", ""}) + inner;
    const mime::Part root = mime::parse_message(raw);
    EXPECT_EQ(section_bytes(raw, root, request({1})), inner);
    EXPECT_EQ(section_bytes(raw, root, request({1}, Text::header)), "Subject: in\r\n\r\n");
    EXPECT_EQ(section_bytes(raw, root, request({1}, Text::text)), "inner body\r\n");
    EXPECT_EQ(section_bytes(raw, root, request({1, 1})), "inner body\r\n");
}

TEST(BodySectionSinglePart, HeaderWithoutBodyOrBlankLine) {
    const std::string raw = "Subject: no body\r\nX-A: 1\r\n";
    const mime::Part root = mime::parse_message(raw);
    EXPECT_EQ(section_bytes(raw, root, request({}, Text::header)), raw);
    EXPECT_EQ(section_bytes(raw, root, request({}, Text::text)), "");
    // RFC 3501 6.4.5: the blank line is included in all header fetches
    // "except in the case of a message which has no body and no blank line".
    const std::string got = section_bytes(raw, root, request({}, Text::header_fields, {"x-a"}));
    ASSERT_FALSE(got != "X-A: 1\r\n")
        << "Regression (was a bug): BODY[HEADER.FIELDS (X-A)] of \"Subject: no body\\r\\nX-A: "
           "1\\r\\n\" (no body, no blank line): expected \"X-A: 1\\r\\n\", "
           "actual \"X-A: 1\\r\\n\\r\\n\"";
    EXPECT_EQ(section_bytes(raw, root, request({}, Text::header_fields_not, {"x-a"})),
              "Subject: no body\r\n");
}

TEST(BodySectionSinglePart, BareLineFeeds) {
    const std::string raw = "Subject: lf\nX-A: 1\n\nbody\n";
    const mime::Part root = mime::parse_message(raw);
    EXPECT_EQ(section_bytes(raw, root, request({}, Text::header)), "Subject: lf\nX-A: 1\n\n");
    EXPECT_EQ(section_bytes(raw, root, request({}, Text::text)), "body\n");
    EXPECT_EQ(section_bytes(raw, root, request({}, Text::header_fields, {"subject"})),
              "Subject: lf\r\n\r\n");
}

// ---- the item reader's names for the response ----

TEST(BodySectionNames, ResponseNames) {
    EXPECT_EQ(parsed("BODY[]").response_name, "BODY[]");
    EXPECT_EQ(parsed("BODY.PEEK[2.1.HEADER]").response_name, "BODY[2.1.HEADER]");
    EXPECT_EQ(parsed("BODY.PEEK[HEADER.FIELDS (Subject from)]").response_name,
              "BODY[HEADER.FIELDS (SUBJECT FROM)]");
    BodyRequest partial = parsed("BODY.PEEK[TEXT]<0.20>");
    EXPECT_EQ(partial.response_name, "BODY[TEXT]");
    ASSERT_TRUE(partial.partial.has_value());
    EXPECT_EQ(partial.partial->origin, 0u);
    EXPECT_EQ(partial.partial->length, 20u);
    EXPECT_TRUE(partial.peek);
}

TEST(BodySectionNames, FieldNamesThatAreNotAtomsAreQuoted) {
    // The response's header-list must read back as the same names.
    const std::string got = parsed("BODY.PEEK[HEADER.FIELDS (\"Subject\" \"X Y\")]").response_name;
    ASSERT_FALSE(got != "BODY[HEADER.FIELDS (SUBJECT \"X Y\")]")
        << "Regression (was a bug): HEADER.FIELDS names are echoed unquoted: request "
           "BODY.PEEK[HEADER.FIELDS (\"Subject\" \"X Y\")], expected response name "
           "BODY[HEADER.FIELDS (SUBJECT \"X Y\")], actual "
        << got;
    EXPECT_EQ(parsed("BODY[HEADER.FIELDS (\"\")]").response_name, "BODY[HEADER.FIELDS (\"\")]");
}

TEST(BodySectionNames, InvalidSections) {
    for (const char* item :
         {"BODY[0]", "BODY[1.]", "BODY[MIME]", "BODY[1.FOO]", "BODY[.1]", "BODY[1..2]",
          "BODY[HEADER.FIELDS]", "BODY[HEADER.FIELDS ()]", "BODY[TEXT]<5>", "BODY[TEXT]<0.0>"}) {
        imap::Reader args{std::string_view(item)};
        EXPECT_THROW(read_fetch_items(args), imap::SyntaxError) << item;
    }
}

}  // namespace
}  // namespace postimap::commands
