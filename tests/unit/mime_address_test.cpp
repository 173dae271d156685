#include "storage/mime/address.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/mime/envelope.hpp"
#include "storage/mime/header.hpp"

namespace postimap::mime {
namespace {

using Addresses = std::vector<Address>;

Address mbox(std::optional<std::string> name, std::string mailbox, std::string host) {
    return Address{std::move(name), std::nullopt, std::move(mailbox), std::move(host)};
}

Address routed(std::string adl, std::string mailbox, std::string host) {
    return Address{std::nullopt, std::move(adl), std::move(mailbox), std::move(host)};
}

Address group_start(std::string name) {
    return Address{std::nullopt, std::nullopt, std::move(name), std::nullopt};
}

Address group_end() {
    return Address{};
}

std::ostream& operator<<(std::ostream& os, const std::optional<std::string>& s) {
    return s ? os << '"' << *s << '"' : os << "NIL";
}

}  // namespace

// Found by GoogleTest through argument-dependent lookup.
void PrintTo(const Address& a, std::ostream* os) {
    *os << "(" << a.name << " " << a.adl << " " << a.mailbox << " " << a.host << ")";
}

namespace {

struct AddressCase {
    const char* label;
    std::string value;
    Addresses expected;
};

std::ostream& operator<<(std::ostream& os, const AddressCase& c) {
    return os << c.label;
}

class ParseAddressList : public ::testing::TestWithParam<AddressCase> {};

TEST_P(ParseAddressList, Parses) {
    EXPECT_EQ(parse_address_list(GetParam().value), GetParam().expected);
}

// RFC 5322 Appendix A, field by field (values as parse_header unfolds them).
INSTANTIATE_TEST_SUITE_P(
    Rfc5322AppendixA, ParseAddressList,
    ::testing::Values(
        AddressCase{"a1_1_from",
                    "John Doe <jdoe@machine.example>",
                    {mbox("John Doe", "jdoe", "machine.example")}},
        AddressCase{"a1_2_from",
                    "\"Joe Q. Public\" <john.q.public@example.com>",
                    {mbox("Joe Q. Public", "john.q.public", "example.com")}},
        AddressCase{"a1_2_to",
                    "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
                    {mbox("Mary Smith", "mary", "x.test"),
                     mbox(std::nullopt, "jdoe", "example.org"), mbox("Who?", "one", "y.test")}},
        AddressCase{"a1_2_cc",
                    "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
                    {mbox(std::nullopt, "boss", "nil.test"),
                     mbox("Giant; \"Big\" Box", "sysservices", "example.net")}},
        AddressCase{"a1_3_group",
                    "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
                    {group_start("A Group"), mbox("Ed Jones", "c", "a.test"),
                     mbox(std::nullopt, "joe", "where.test"), mbox("John", "jdoe", "one.test"),
                     group_end()}},
        AddressCase{"a1_3_empty_group",
                    "Undisclosed recipients:;",
                    {group_start("Undisclosed recipients"), group_end()}},
        AddressCase{"a5_comments_from",
                    "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
                    {mbox("Pete", "pete", "silly.test")}},
        AddressCase{"a5_comments_group",
                    "A Group(Some people)     :Chris Jones <c@(Chris's host.)public.example>,"
                    "         joe@example.org,  John <jdoe@one.test> (my dear friend); (the end of "
                    "the group)",
                    {group_start("A Group"), mbox("Chris Jones", "c", "public.example"),
                     mbox(std::nullopt, "joe", "example.org"), mbox("John", "jdoe", "one.test"),
                     group_end()}},
        AddressCase{"a5_comments_empty_group",
                    "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
                    {group_start("Hidden recipients"), group_end()}},
        AddressCase{"a6_1_obs_phrase",
                    "Joe Q. Public <john.q.public@example.com>",
                    {mbox("Joe Q. Public", "john.q.public", "example.com")}},
        AddressCase{"a6_1_obs_route_and_empty_member",
                    "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
                    {Address{"Mary Smith", "@node.test", "mary", "example.net"},
                     mbox(std::nullopt, "jdoe", "test.example")}},
        AddressCase{"a6_1_quoted_colon",
                    "\"Mary Smith: Personal Account\" <smith@home.example >",
                    {mbox("Mary Smith: Personal Account", "smith", "home.example")}},
        AddressCase{"a6_3_cfws_in_domain",
                    "John Doe <jdoe@machine(comment).  example>",
                    {mbox("John Doe", "jdoe", "machine.example")}},
        AddressCase{"a6_3_folded_space",
                    "Mary Smith    <mary@example.net>",
                    {mbox("Mary Smith", "mary", "example.net")}}));

INSTANTIATE_TEST_SUITE_P(
    Other, ParseAddressList,
    ::testing::Values(
        AddressCase{"route_two_domains",
                    "<@a.test,@b.test:joe@c.test>",
                    {routed("@a.test,@b.test", "joe", "c.test")}},
        AddressCase{"comment_names_bare_addr_spec",
                    "jdoe@example.org (John Doe)",
                    {mbox("John Doe", "jdoe", "example.org")}},
        AddressCase{"encoded_word_name_kept",
                    "=?ISO-8859-1?Q?Keld_J=F8rn?= <keld@dkuug.dk>",
                    {mbox("=?ISO-8859-1?Q?Keld_J=F8rn?=", "keld", "dkuug.dk")}},
        AddressCase{"quoted_local_part",
                    "\"john doe\"@example.com",
                    {mbox(std::nullopt, "john doe", "example.com")}},
        AddressCase{
            "domain_literal", "user@[192.0.2.1]", {mbox(std::nullopt, "user", "[192.0.2.1]")}},
        AddressCase{
            "phrase_with_at", "john@x.test <john@x.test>", {mbox("john@x.test", "john", "x.test")}},
        AddressCase{"8bit_name", "Caf\xC3\xA9 <x@y.test>", {mbox("Caf\xC3\xA9", "x", "y.test")}},
        AddressCase{"no_domain", "root", {mbox(std::nullopt, "root", "")}},
        AddressCase{"no_domain_words", "John Doe", {mbox(std::nullopt, "John Doe", "")}},
        AddressCase{"empty_domain", "a@", {mbox(std::nullopt, "a", "")}},
        AddressCase{"empty", "", {}}, AddressCase{"only_commas", " ,  , ", {}},
        AddressCase{"only_comment", "(nobody)", {}}, AddressCase{"null_address", "<>", {}},
        AddressCase{"name_with_null_address", "\"Name Only\" <>", {mbox("Name Only", "", "")}},
        AddressCase{"empty_quoted_name", "\"\" <a@b.test>", {mbox(std::nullopt, "a", "b.test")}},
        AddressCase{"unterminated_angle", "<a@b.test", {mbox(std::nullopt, "a", "b.test")}},
        AddressCase{"unterminated_quote",
                    "\"unterminated <a@b>",
                    {mbox(std::nullopt, "unterminated <a@b>", "")}},
        AddressCase{"unterminated_group",
                    "a@b.test, Group: c@d.test",
                    {mbox(std::nullopt, "a", "b.test"), group_start("Group"),
                     mbox(std::nullopt, "c", "d.test"), group_end()}},
        AddressCase{"stray_semicolon",
                    "a@b.test; c@d.test",
                    {mbox(std::nullopt, "a", "b.test"), mbox(std::nullopt, "c", "d.test")}},
        AddressCase{"two_groups",
                    "G1: a@b.test; G2:;",
                    {group_start("G1"), mbox(std::nullopt, "a", "b.test"), group_end(),
                     group_start("G2"), group_end()}},
        AddressCase{"double_at", "a@b@c", {mbox(std::nullopt, "a", "b@c")}},
        AddressCase{"garbage", "<<<@@@>>>", {mbox(std::nullopt, "<<", "@@")}}));

HeaderBlock header_of(const std::string& text) {
    return parse_header(text);
}

TEST(MakeEnvelope, AllFields) {
    const auto header = header_of(
        "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
        "Subject: =?utf-8?q?Saying_Hello?=\r\n"
        " again\r\n"
        "From: John Doe <jdoe@machine.example>\r\n"
        "Sender: Michael Jones <mjones@machine.example>\r\n"
        "Reply-To: \"Mary Smith: Personal Account\" <smith@home.example>\r\n"
        "To: Mary Smith <mary@example.net>\r\n"
        "Cc: A Group:;\r\n"
        "Bcc: boss@nil.test\r\n"
        "In-Reply-To: <1234@local.machine.example>\r\n"
        "Message-ID: <5678.21-Nov-1997@example.com>\r\n"
        "\r\n");
    Envelope e = make_envelope(header);
    EXPECT_EQ(e.date, "Fri, 21 Nov 1997 09:55:06 -0600");
    EXPECT_EQ(e.subject, "=?utf-8?q?Saying_Hello?= again");
    EXPECT_EQ(e.from, Addresses{mbox("John Doe", "jdoe", "machine.example")});
    EXPECT_EQ(e.sender, Addresses{mbox("Michael Jones", "mjones", "machine.example")});
    EXPECT_EQ(e.reply_to, Addresses{mbox("Mary Smith: Personal Account", "smith", "home.example")});
    EXPECT_EQ(e.to, Addresses{mbox("Mary Smith", "mary", "example.net")});
    EXPECT_EQ(e.cc, (Addresses{group_start("A Group"), group_end()}));
    EXPECT_EQ(e.bcc, Addresses{mbox(std::nullopt, "boss", "nil.test")});
    EXPECT_EQ(e.in_reply_to, "<1234@local.machine.example>");
    EXPECT_EQ(e.message_id, "<5678.21-Nov-1997@example.com>");
}

TEST(MakeEnvelope, SenderAndReplyToDefaultToFrom) {
    Envelope e = make_envelope(header_of("From: a@b.test\r\nSender:  \r\nTo: c@d.test\r\n\r\n"));
    EXPECT_EQ(e.from, Addresses{mbox(std::nullopt, "a", "b.test")});
    EXPECT_EQ(e.sender, e.from);
    EXPECT_EQ(e.reply_to, e.from);
    EXPECT_FALSE(e.date);
    EXPECT_FALSE(e.subject);
    EXPECT_FALSE(e.message_id);
    EXPECT_FALSE(e.in_reply_to);
    EXPECT_TRUE(e.cc.empty());
    EXPECT_TRUE(e.bcc.empty());
}

TEST(MakeEnvelope, EmptyHeader) {
    EXPECT_EQ(make_envelope(header_of("")), Envelope{});
}

TEST(MakeEnvelope, FirstFieldCountsAndEmptyValuesStay) {
    Envelope e = make_envelope(header_of("Subject:\r\nSubject: second\r\nFROM: x@y.test\r\n\r\n"));
    EXPECT_EQ(e.subject, "");
    EXPECT_EQ(e.from, Addresses{mbox(std::nullopt, "x", "y.test")});
}

}  // namespace
}  // namespace postimap::mime
