#include "server/imap/reader.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::imap {
namespace {

using Strings = std::vector<std::string>;
using namespace std::string_view_literals;

// ---- one value read, then where the reader stands ----

TEST(ReaderTag, ReadsTagAndStopsAtSpace) {
    Reader r("A001 NOOP");
    EXPECT_EQ(r.tag(), "A001"sv);
    EXPECT_EQ(r.position(), 4u);
    r.space();
    EXPECT_EQ(r.command_name(), "NOOP");
    r.expect_end();
}

TEST(ReaderTag, AcceptsPunctuationOfAstringChars) {
    Reader r("a.b-c_d:1! NOOP");
    EXPECT_EQ(r.tag(), "a.b-c_d:1!"sv);
}

TEST(ReaderTag, StopsAtPlus) {
    Reader r("A+1 NOOP");
    EXPECT_EQ(r.tag(), "A"sv);
    EXPECT_THROW(r.space(), SyntaxError);
}

TEST(ReaderTag, AcceptsCloseBracket) {
    // Regression (was a bug): RFC 3501 9 has tag = 1*<any ASTRING-CHAR except "+"> and
    // ASTRING-CHAR = ATOM-CHAR / resp-specials ("]"), so "A]1" is a valid tag
    // (CommandFramer's command_tag() takes it). Reader::tag() stops at "]"
    // and returns "A"; the session then answers "* BAD Missing or invalid
    // tag" instead of running the command.
    Reader r("A]1 NOOP");
    EXPECT_EQ(r.tag(), "A]1"sv);
    r.space();
    EXPECT_EQ(r.command_name(), "NOOP");
}

TEST(ReaderCommandName, UpperCases) {
    for (const char* name : {"noop", "Noop", "nOoP", "NOOP"}) {
        Reader r(name);
        EXPECT_EQ(r.command_name(), "NOOP") << name;
    }
    Reader uid("uid fetch");
    EXPECT_EQ(uid.command_name(), "UID");
    uid.space();
    EXPECT_EQ(uid.command_name(), "FETCH");
}

TEST(ReaderAtom, StopsAtAtomSpecials) {
    for (const char* text : {"abc def", "abc(", "abc)", "abc{", "abc%", "abc*", "abc\"", "abc\\",
                             "abc]", "abc\r", "abc\x7f", "abc\x80"}) {
        Reader r(text);
        EXPECT_EQ(r.atom(), "abc"sv) << text;
        EXPECT_EQ(r.position(), 3u) << text;
    }
}

TEST(ReaderAtom, KeepsOpenBracketAndPunctuation) {
    Reader r("BODY.PEEK[HEADER.FIELDS");
    EXPECT_EQ(r.atom(), "BODY.PEEK[HEADER.FIELDS"sv);
    r.expect_end();
}

// ---- astring, string, literal ----

struct AstringCase {
    std::string name;
    std::string input;
    std::string value;
    std::size_t consumed;
};

std::ostream& operator<<(std::ostream& os, const AstringCase& c) {
    return os << c.name;
}

class ReaderAstring : public ::testing::TestWithParam<AstringCase> {};

TEST_P(ReaderAstring, Reads) {
    const auto& c = GetParam();
    Reader r(c.input);
    EXPECT_EQ(r.astring(), c.value);
    EXPECT_EQ(r.position(), c.consumed);
}

INSTANTIATE_TEST_SUITE_P(
    All, ReaderAstring,
    ::testing::Values(AstringCase{"Atom", "fred secret", "fred", 4},
                      AstringCase{"AtomWithCloseBracket", "BODY[] x", "BODY[]", 6},
                      AstringCase{"AtomEndsAtParen", "abc)", "abc", 3},
                      AstringCase{"Quoted", "\"fred smith\" x", "fred smith", 12},
                      AstringCase{"QuotedEmpty", "\"\"", "", 2},
                      AstringCase{"QuotedEscapes", R"("a \"b\" \\c")", R"(a "b" \c)", 13},
                      AstringCase{"QuotedSpecials", "\"(%*{})]\"", "(%*{})]", 9},
                      AstringCase{"QuotedTab", "\"a\tb\"", "a\tb", 5},
                      AstringCase{"Literal", "{5}\r\nhello world", "hello", 10},
                      AstringCase{"LiteralPlus", "{5+}\r\nhello", "hello", 11},
                      AstringCase{"LiteralEmpty", "{0}\r\n", "", 5}),
    [](const auto& info) { return info.param.name; });

TEST(ReaderLiteral, ReturnsExactBytes) {
    const std::string bytes("line\r\n\0\xff\x80 {3}\r\n\"\\", 17);
    const std::string text = "{17}\r\n" + bytes + " rest";
    Reader r(text);
    std::string_view got = r.literal();
    EXPECT_EQ(got, bytes);
    EXPECT_EQ(got.data(), text.data() + 6);  // a view into the command, not a copy
    r.space();
    EXPECT_EQ(r.atom(), "rest"sv);
}

TEST(ReaderLiteral, StringReadsLiteral) {
    const std::string text = std::string("{3}\r\n\0\r\n", 8);
    Reader r(text);
    EXPECT_EQ(r.string(), std::string("\0\r\n", 3));
    r.expect_end();
}

TEST(ReaderLiteral, AcceptsNineteenDigitSize) {
    Reader r("{0000000000000000003}\r\nabc");
    EXPECT_EQ(r.literal(), "abc"sv);
}

// ---- numbers ----

TEST(ReaderNumber, ReadsRange) {
    Reader zero("0");
    EXPECT_EQ(zero.number(), 0u);
    Reader max("4294967295");
    EXPECT_EQ(max.number(), 4294967295u);
    Reader padded("0000000000000042 x");
    EXPECT_EQ(padded.number(), 42u);
    EXPECT_EQ(padded.position(), 16u);
}

TEST(ReaderNumber, StopsAtNonDigit) {
    Reader r("12abc");
    EXPECT_EQ(r.number(), 12u);
    EXPECT_EQ(r.atom(), "abc"sv);
}

TEST(ReaderNzNumber, AcceptsOne) {
    Reader r("1");
    EXPECT_EQ(r.nz_number(), 1u);
}

// ---- mailboxes ----

struct MailboxCase {
    std::string input;
    std::string mailbox;
};

class ReaderMailbox : public ::testing::TestWithParam<MailboxCase> {};

TEST_P(ReaderMailbox, Normalises) {
    Reader r(GetParam().input);
    EXPECT_EQ(r.mailbox(), GetParam().mailbox);
    r.expect_end();
}

INSTANTIATE_TEST_SUITE_P(
    All, ReaderMailbox,
    ::testing::Values(MailboxCase{"INBOX", "INBOX"}, MailboxCase{"inbox", "INBOX"},
                      MailboxCase{"InBoX", "INBOX"}, MailboxCase{"\"inbox\"", "INBOX"},
                      MailboxCase{"{5}\r\niNbOx", "INBOX"}, MailboxCase{"INBOX.foo", "INBOX.foo"},
                      MailboxCase{"inbox.foo", "inbox.foo"}, MailboxCase{"inboxes", "inboxes"},
                      MailboxCase{"\"in box\"", "in box"}, MailboxCase{"Sent]", "Sent]"},
                      MailboxCase{"\"\"", ""}));

struct ListMailboxCase {
    std::string input;
    std::string pattern;
    std::size_t consumed;
};

class ReaderListMailbox : public ::testing::TestWithParam<ListMailboxCase> {};

TEST_P(ReaderListMailbox, Reads) {
    Reader r(GetParam().input);
    EXPECT_EQ(r.list_mailbox(), GetParam().pattern);
    EXPECT_EQ(r.position(), GetParam().consumed);
}

INSTANTIATE_TEST_SUITE_P(
    All, ReaderListMailbox,
    ::testing::Values(ListMailboxCase{"%", "%", 1}, ListMailboxCase{"*", "*", 1},
                      ListMailboxCase{"foo/%/bar*", "foo/%/bar*", 10},
                      ListMailboxCase{"INBOX* rest", "INBOX*", 6}, ListMailboxCase{"a]%", "a]%", 3},
                      ListMailboxCase{"\"a b/*\"", "a b/*", 7},
                      ListMailboxCase{"{3}\r\n%/*", "%/*", 8}, ListMailboxCase{"\"\"", "", 2},
                      ListMailboxCase{"%(", "%", 1}));

// ---- sequence sets, flags, dates ----

TEST(ReaderSequenceSet, ReadsUpToSpace) {
    Reader r("1:3,5,7:* (FLAGS)");
    auto set = r.sequence_set();
    const std::vector<SequenceSet::Range> expected = {{1, 3}, {5, 5}, {7, SequenceSet::kStar}};
    EXPECT_EQ(set.ranges(), expected);
    EXPECT_EQ(r.position(), 9u);
    r.space();
    EXPECT_TRUE(r.peek('('));
}

TEST(ReaderSequenceSet, StarAlone) {
    Reader r("*");
    EXPECT_EQ(r.sequence_set().ranges(),
              (std::vector<SequenceSet::Range>{{SequenceSet::kStar, SequenceSet::kStar}}));
    r.expect_end();
}

struct FlagListCase {
    std::string input;
    Strings flags;
};

class ReaderFlagList : public ::testing::TestWithParam<FlagListCase> {};

TEST_P(ReaderFlagList, Reads) {
    Reader r(GetParam().input);
    EXPECT_EQ(r.flag_list(), GetParam().flags);
    r.expect_end();
}

INSTANTIATE_TEST_SUITE_P(
    All, ReaderFlagList,
    ::testing::Values(FlagListCase{"()", {}}, FlagListCase{"(\\Seen)", {"\\Seen"}},
                      FlagListCase{"(\\Seen $Junk)", {"\\Seen", "$Junk"}},
                      FlagListCase{"(\\seen \\DELETED Work)", {"\\seen", "\\DELETED", "Work"}},
                      FlagListCase{"(\\*)", {"\\*"}},
                      FlagListCase{"(\\Answered \\*)", {"\\Answered", "\\*"}},
                      FlagListCase{"(\\Recent)", {"\\Recent"}}));

TEST(ReaderFlag, ReadsOneFlag) {
    Reader r("\\Flagged $Label1");
    EXPECT_EQ(r.flag(), "\\Flagged");
    r.space();
    EXPECT_EQ(r.flag(), "$Label1");
    r.expect_end();
}

TEST(ReaderQuotedDateTime, ReturnsTextWithoutQuotes) {
    Reader r("\"17-Jul-1996 02:44:25 -0700\" {3}");
    EXPECT_EQ(r.quoted_date_time(), "17-Jul-1996 02:44:25 -0700"sv);
    r.space();
    EXPECT_TRUE(r.peek('{'));
    Reader padded("\" 7-Feb-1994 21:52:25 -0800\"");
    EXPECT_EQ(padded.quoted_date_time(), " 7-Feb-1994 21:52:25 -0800"sv);
    padded.expect_end();
}

// ---- a whole command, as the framer delivers it ----

TEST(Reader, ParsesRfc3501Append) {
    const std::string message = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\r\nHello Joe\r\n";
    const std::string command =
        "A003 APPEND saved-messages (\\Seen) \"07-Feb-1994 21:52:25 "
        "-0800\" {" +
        std::to_string(message.size()) + "}\r\n" + message;
    Reader r(command);
    EXPECT_EQ(r.tag(), "A003"sv);
    r.space();
    EXPECT_EQ(r.command_name(), "APPEND");
    r.space();
    EXPECT_EQ(r.mailbox(), "saved-messages");
    r.space();
    EXPECT_EQ(r.flag_list(), Strings{"\\Seen"});
    r.space();
    EXPECT_EQ(r.quoted_date_time(), "07-Feb-1994 21:52:25 -0800"sv);
    r.space();
    EXPECT_EQ(r.literal(), message);
    r.expect_end();
}

TEST(Reader, AcceptAndExpect) {
    Reader r("(x");
    EXPECT_FALSE(r.accept(')'));
    EXPECT_TRUE(r.accept('('));
    EXPECT_FALSE(r.at_end());
    EXPECT_NO_THROW(r.expect('x'));
    EXPECT_TRUE(r.at_end());
    EXPECT_FALSE(r.peek('x'));
    EXPECT_NO_THROW(r.expect_end());
}

// ---- every syntax error throws SyntaxError ----

struct ErrorCase {
    std::string name;
    std::string input;
    std::function<void(Reader&)> read;
};

std::ostream& operator<<(std::ostream& os, const ErrorCase& c) {
    return os << c.name;
}

class ReaderError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ReaderError, ThrowsSyntaxError) {
    Reader r(GetParam().input);
    EXPECT_THROW(GetParam().read(r), SyntaxError);
}

std::vector<ErrorCase> error_cases() {
    auto tag = [](Reader& r) { r.tag(); };
    auto name = [](Reader& r) { r.command_name(); };
    auto atom = [](Reader& r) { r.atom(); };
    auto astring = [](Reader& r) { r.astring(); };
    auto string = [](Reader& r) { r.string(); };
    auto literal = [](Reader& r) { r.literal(); };
    auto number = [](Reader& r) { r.number(); };
    auto nz_number = [](Reader& r) { r.nz_number(); };
    auto list_mailbox = [](Reader& r) { r.list_mailbox(); };
    auto mailbox = [](Reader& r) { r.mailbox(); };
    auto sequence_set = [](Reader& r) { r.sequence_set(); };
    auto flag_list = [](Reader& r) { r.flag_list(); };
    auto date = [](Reader& r) { r.quoted_date_time(); };
    auto end = [](Reader& r) { r.expect_end(); };
    auto space = [](Reader& r) { r.space(); };
    return {
        {"TagEmpty", "", tag},
        {"TagLeadingSpace", " A1 NOOP", tag},
        {"TagPlus", "+ NOOP", tag},
        {"TagStar", "* NOOP", tag},
        {"TagParen", "(A1 NOOP", tag},
        {"TagQuote", "\"A1\" NOOP", tag},
        {"Tag8Bit", "\xc3\xa4 NOOP", tag},
        {"CommandNameMissing", "", name},
        {"CommandNameParen", "(NOOP)", name},
        {"AtomEmpty", "", atom},
        {"AtomSpace", " abc", atom},
        {"AtomCloseBracket", "]", atom},
        {"AtomWildcard", "%", atom},
        {"Atom8Bit", "\x80", atom},
        {"AstringEmpty", "", astring},
        {"AstringParen", "(abc)", astring},
        {"AstringWildcard", "*", astring},
        {"QuotedInvalidEscape", R"("a\b")", astring},
        {"QuotedEscapedLetterN", R"("a\n")", astring},
        {"QuotedBackslashAtEnd", "\"abc\\", astring},
        {"QuotedBackslashBeforeEnd", "\"abc\\\"", astring},
        {"QuotedUnterminated", "\"abc", astring},
        {"QuotedOnlyOpening", "\"", astring},
        {"QuotedWithCr", "\"a\rb\"", astring},
        {"QuotedWithLf", "\"a\nb\"", astring},
        {"QuotedWithNul", std::string("\"a\0b\"", 5), astring},
        {"StringAtom", "abc", string},
        {"StringEmpty", "", string},
        {"LiteralShorterThanAnnounced", "{10}\r\nabc", literal},
        {"LiteralShorterByOne", "{4}\r\nabc", astring},
        {"LiteralWithoutCrlf", "{3}abc", literal},
        {"LiteralWithBareLf", "{3}\nabc", literal},
        {"LiteralAtEndOfCommand", "{3}", literal},
        {"LiteralEmptySize", "{}\r\n", literal},
        {"LiteralPlusOnly", "{+}\r\n", literal},
        {"LiteralLetterSize", "{abc}\r\nabc", literal},
        {"LiteralNegativeSize", "{-1}\r\n", literal},
        {"LiteralUnclosed", "{3\r\nabc", literal},
        {"LiteralTwentyDigits", "{99999999999999999999}\r\n", literal},
        {"LiteralTwentyFiveDigits", "{9999999999999999999999999}\r\nabc", literal},
        {"LiteralNoBrace", "3}\r\nabc", literal},
        {"NumberOverflow", "4294967296", number},
        {"NumberHugeOverflow", "99999999999999999999999999", number},
        {"NumberEmpty", "", number},
        {"NumberLetter", "x1", number},
        {"NumberMinus", "-1", number},
        {"NzNumberZero", "0", nz_number},
        {"NzNumberZeros", "000", nz_number},
        {"NzNumberOverflow", "4294967296", nz_number},
        {"ListMailboxEmpty", "", list_mailbox},
        {"ListMailboxParen", "(", list_mailbox},
        {"ListMailboxUnterminated", "\"%", list_mailbox},
        {"MailboxEmpty", "", mailbox},
        {"MailboxWildcard", "%", mailbox},
        {"MailboxBadEscape", R"("a\x")", mailbox},
        {"SequenceSetEmpty", "", sequence_set},
        {"SequenceSetZero", "0", sequence_set},
        {"SequenceSetTrailingComma", "1, 2", sequence_set},
        {"SequenceSetOverflow", "4294967296", sequence_set},
        {"SequenceSetLetter", "a", sequence_set},
        {"FlagListEmpty", "", flag_list},
        {"FlagListNoParen", "\\Seen", flag_list},
        {"FlagListUnclosed", "(\\Seen", flag_list},
        {"FlagListUnclosedEmpty", "(", flag_list},
        {"FlagListSpaceOnly", "( )", flag_list},
        {"FlagListLeadingSpace", "( \\Seen)", flag_list},
        {"FlagListTrailingSpace", "(\\Seen )", flag_list},
        {"FlagListDoubleSpace", "(\\Seen  $Junk)", flag_list},
        {"FlagListNoSpace", "(\\Seen\\Deleted)", flag_list},
        {"FlagListBareBackslash", "(\\)", flag_list},
        {"FlagListBackslashSpace", "(\\ Seen)", flag_list},
        {"FlagListNested", "((\\Seen))", flag_list},
        {"FlagListQuoted", "(\"Seen\")", flag_list},
        {"FlagListStarWithSuffix", "(\\*x)", flag_list},
        {"DateTimeUnterminated", "\"17-Jul-1996 02:44:25 -0700", date},
        {"DateTimeUnquoted", "17-Jul-1996", date},
        {"DateTimeEmpty", "", date},
        {"ExpectEndTrailingSpace", " ", end},
        {"ExpectEndExtraArgument", "x", end},
        {"SpaceMissing", "", space},
        {"SpaceWrongChar", "x", space},
    };
}

INSTANTIATE_TEST_SUITE_P(All, ReaderError, ::testing::ValuesIn(error_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(ReaderEnd, ExtraArgumentsAfterCommand) {
    Reader r("A1 NOOP extra");
    r.tag();
    r.space();
    EXPECT_EQ(r.command_name(), "NOOP");
    EXPECT_THROW(r.expect_end(), SyntaxError);
}

TEST(ReaderQuoted, EightBitAccepted) {
    // RFC 3501 quoted strings are 7-bit (TEXT-CHAR), but UTF-8 clients send
    // them (RFC 6855); the reader takes the bytes as they are.
    Reader r("\"caf\xc3\xa9\"");
    EXPECT_EQ(r.astring(), "caf\xc3\xa9");
}

}  // namespace
}  // namespace postimap::imap
