#include "server/imap/search_key.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace postimap::imap {
namespace {

using namespace std::string_literals;
using Key = SearchKey;

// The arguments after "SEARCH SP", read whole, as the tree's canonical text.
std::string parsed(std::string_view args) {
    Reader r(args);
    auto program = read_search_program(r);
    EXPECT_TRUE(r.at_end());
    return program.to_string();
}

// The SyntaxError's text, or a note that there was none.
std::string syntax_error(std::string_view args) {
    try {
        Reader r(args);
        read_search_program(r);
    } catch (const SyntaxError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string repeated(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

struct Case {
    std::string args;
    std::string tree;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.args;
}

class SearchParses : public ::testing::TestWithParam<Case> {};

TEST_P(SearchParses, ToTree) {
    EXPECT_EQ(parsed(GetParam().args), GetParam().tree);
}

TEST_P(SearchParses, TreeTextReadsBackToItself) {
    EXPECT_EQ(parsed(GetParam().tree), GetParam().tree);
}

// RFC 3501 6.4.4's examples (and RFC 7162 3.1.5's), with the ones the brief names.
INSTANTIATE_TEST_SUITE_P(
    RfcExamples, SearchParses,
    ::testing::Values(
        Case{"FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",
             "(FLAGGED SINCE 1-Feb-1994 NOT HEADER From \"Smith\")"},
        Case{"TEXT \"string not in mailbox\"", "TEXT \"string not in mailbox\""},
        Case{"CHARSET UTF-8 TEXT {6}\r\nXXXXXX", "CHARSET UTF-8 TEXT \"XXXXXX\""},
        Case{"CHARSET UTF-8 SUBJECT {6}\r\nt\xC3\xA4st!",
             "CHARSET UTF-8 HEADER Subject {6}\r\nt\xC3\xA4st!"},
        Case{"OR (FROM a TO b) NOT SEEN", "OR (HEADER From \"a\" HEADER To \"b\") NOT SEEN"},
        Case{"1:5 UID 2,4:*", "(1:5 UID 2,4:*)"}, Case{"1:100 UID 443:557", "(1:100 UID 443:557)"},
        Case{"HEADER Message-ID <x@y>", "HEADER Message-ID \"<x@y>\""},
        Case{"MODSEQ \"/flags/\\\\draft\" all 620162338",
             "MODSEQ \"/flags/\\\\draft\" all 620162338"},
        Case{"OR NOT MODSEQ 720162338 LARGER 50000", "OR NOT MODSEQ 720162338 LARGER 50000"}));

// Every key of RFC 3501 6.4.4, and MODSEQ.
INSTANTIATE_TEST_SUITE_P(
    EveryKey, SearchParses,
    ::testing::Values(
        Case{"ALL", "ALL"}, Case{"ANSWERED", "ANSWERED"}, Case{"BCC x", "HEADER Bcc \"x\""},
        Case{"BEFORE 1-Feb-1994", "BEFORE 1-Feb-1994"}, Case{"BODY x", "BODY \"x\""},
        Case{"CC x", "HEADER Cc \"x\""}, Case{"DELETED", "DELETED"}, Case{"DRAFT", "DRAFT"},
        Case{"FLAGGED", "FLAGGED"}, Case{"FROM x", "HEADER From \"x\""},
        Case{"HEADER X-Spam \"\"", "HEADER X-Spam \"\""},
        Case{"HEADER \"odd name\" x", "HEADER \"odd name\" \"x\""},
        Case{"KEYWORD $Junk", "KEYWORD $Junk"}, Case{"LARGER 4294967295", "LARGER 4294967295"},
        Case{"NEW", "(RECENT NOT SEEN)"}, Case{"NOT SEEN", "NOT SEEN"}, Case{"OLD", "NOT RECENT"},
        Case{"ON 29-Feb-2024", "ON 29-Feb-2024"}, Case{"OR SEEN FLAGGED", "OR SEEN FLAGGED"},
        Case{"RECENT", "RECENT"}, Case{"SEEN", "SEEN"},
        Case{"SENTBEFORE 1-Jan-2000", "SENTBEFORE 1-Jan-2000"},
        Case{"SENTON 31-Dec-1999", "SENTON 31-Dec-1999"},
        Case{"SENTSINCE 10-Oct-2010", "SENTSINCE 10-Oct-2010"},
        Case{"SINCE 7-Jul-1970", "SINCE 7-Jul-1970"}, Case{"SMALLER 0", "SMALLER 0"},
        Case{"SUBJECT x", "HEADER Subject \"x\""}, Case{"TEXT x", "TEXT \"x\""},
        Case{"TO x", "HEADER To \"x\""}, Case{"UID 1,3:5,*", "UID 1,3:5,*"},
        Case{"UNANSWERED", "NOT ANSWERED"}, Case{"UNDELETED", "NOT DELETED"},
        Case{"UNDRAFT", "NOT DRAFT"}, Case{"UNFLAGGED", "NOT FLAGGED"},
        Case{"UNKEYWORD $Junk", "NOT KEYWORD $Junk"}, Case{"UNSEEN", "NOT SEEN"},
        Case{"*:1", "*:1"}, Case{"7", "7"}, Case{"MODSEQ 0", "MODSEQ 0"},
        Case{"MODSEQ 9223372036854775807", "MODSEQ 9223372036854775807"},
        Case{"MODSEQ \"/flags/\\\\Seen\" priv 5", "MODSEQ \"/flags/\\\\Seen\" priv 5"},
        Case{"MODSEQ \"/flags/$Junk\" shared 5", "MODSEQ \"/flags/$Junk\" shared 5"}));

INSTANTIATE_TEST_SUITE_P(
    CaseInsensitive, SearchParses,
    ::testing::Values(Case{"flagged since 1-feb-1994 not from Smith",
                           "(FLAGGED SINCE 1-Feb-1994 NOT HEADER From \"Smith\")"},
                      Case{"uNsEeN Or aNsWeReD dRaFt", "(NOT SEEN OR ANSWERED DRAFT)"},
                      Case{"charset utf-8 all", "CHARSET UTF-8 ALL"},
                      Case{"Charset Us-Ascii uid 1", "CHARSET US-ASCII UID 1"},
                      Case{"modseq \"/FLAGS/\\\\Answered\" ALL 1",
                           "MODSEQ \"/flags/\\\\Answered\" all 1"},
                      Case{"sentsince 1-DEC-2000 header subject X",
                           "(SENTSINCE 1-Dec-2000 HEADER subject \"X\")"},
                      Case{"new", "(RECENT NOT SEEN)"}, Case{"Old", "NOT RECENT"}));

INSTANTIATE_TEST_SUITE_P(
    Strings, SearchParses,
    ::testing::Values(Case{"SUBJECT \"a \\\"b\\\" \\\\ c\"",
                           "HEADER Subject \"a \\\"b\\\" \\\\ c\""},
                      Case{"SUBJECT \"\"", "HEADER Subject \"\""},
                      Case{"SUBJECT [PATCH]", "HEADER Subject \"[PATCH]\""},
                      Case{"BODY {3}\r\nabc", "BODY \"abc\""},
                      Case{"BODY {3+}\r\nabc", "BODY \"abc\""}, Case{"BODY {0}\r\n", "BODY \"\""},
                      Case{"BODY {4}\r\na\r\nb", "BODY {4}\r\na\r\nb"},
                      Case{"TEXT {3}\r\na\0b"s, "TEXT {3}\r\na\0b"s},
                      Case{"TEXT \"caf\xC3\xA9\"", "TEXT {5}\r\ncaf\xC3\xA9"},
                      Case{"TEXT {5}\r\nSEEN) SEEN", "(TEXT \"SEEN)\" SEEN)"},
                      Case{"HEADER {7}\r\nSubject {1}\r\nx", "HEADER Subject \"x\""}));

INSTANTIATE_TEST_SUITE_P(Dates, SearchParses,
                         ::testing::Values(Case{"SINCE \"1-Feb-1994\"", "SINCE 1-Feb-1994"},
                                           Case{"SINCE 01-Feb-1994", "SINCE 1-Feb-1994"},
                                           Case{"BEFORE \"01-feb-1994\"", "BEFORE 1-Feb-1994"},
                                           Case{"ON 1-Jan-0000", "ON 1-Jan-0000"},
                                           Case{"ON 31-Dec-9999", "ON 31-Dec-9999"}));

INSTANTIATE_TEST_SUITE_P(
    Lists, SearchParses,
    ::testing::Values(Case{"(SEEN)", "SEEN"}, Case{"((SEEN))", "SEEN"},
                      Case{"(SEEN) (FLAGGED)", "(SEEN FLAGGED)"},
                      Case{"(SEEN (FLAGGED (DRAFT DELETED)))", "(SEEN FLAGGED DRAFT DELETED)"},
                      Case{"NOT (SEEN FLAGGED)", "NOT (SEEN FLAGGED)"},
                      Case{"NEW FLAGGED", "(RECENT NOT SEEN FLAGGED)"},
                      Case{"OR (SEEN) (1:3)", "OR SEEN 1:3"},
                      Case{"NOT NOT UNSEEN", "NOT NOT NOT SEEN"},
                      Case{"(OR SEEN DRAFT UID 5)", "(OR SEEN DRAFT UID 5)"},
                      Case{"OR OR SEEN DRAFT OR 1 2", "OR OR SEEN DRAFT OR 1 2"}));

// ---- the tree itself, not only its text ----

TEST(SearchTree, RfcExampleHasTypedNodes) {
    Reader r("FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
    const auto program = read_search_program(r);
    EXPECT_FALSE(program.charset);
    const auto& all = std::get<Key::And>(program.root.node);
    ASSERT_EQ(all.keys.size(), 3u);
    EXPECT_EQ(std::get<Key::Flag>(all.keys[0].node).name, "\\Flagged");
    const auto& since = std::get<Key::Date>(all.keys[1].node);
    EXPECT_EQ(since.field, Key::DateField::internal);
    EXPECT_EQ(since.relation, Key::DateRelation::since);
    EXPECT_EQ(since.day, 760060800);  // python3: calendar.timegm of 1994-02-01
    const auto& from = std::get<Key::Header>(std::get<Key::Not>(all.keys[2].node).key->node);
    EXPECT_EQ(from.field, "From");
    EXPECT_EQ(from.value, "Smith");
}

TEST(SearchTree, NumbersAndSets) {
    Reader r("LARGER 4294967295 SENTON 1-Jan-1970 1:5,* UID 2,4:* MODSEQ 9223372036854775807");
    const auto program = read_search_program(r);
    const auto& keys = std::get<Key::And>(program.root.node).keys;
    ASSERT_EQ(keys.size(), 5u);
    const auto& larger = std::get<Key::Size>(keys[0].node);
    EXPECT_EQ(larger.relation, Key::SizeRelation::larger);
    EXPECT_EQ(larger.octets, 4294967295u);
    const auto& senton = std::get<Key::Date>(keys[1].node);
    EXPECT_EQ(senton.field, Key::DateField::sent);
    EXPECT_EQ(senton.relation, Key::DateRelation::on);
    EXPECT_EQ(senton.day, 0);
    using Range = SequenceSet::Range;
    EXPECT_EQ(std::get<Key::Msn>(keys[2].node).set.ranges(),
              (std::vector<Range>{{1, 5}, {SequenceSet::kStar, SequenceSet::kStar}}));
    EXPECT_EQ(std::get<Key::Uid>(keys[3].node).set.ranges(),
              (std::vector<Range>{{2, 2}, {4, SequenceSet::kStar}}));
    const auto& modseq = std::get<Key::ModSeq>(keys[4].node);
    EXPECT_FALSE(modseq.entry);
    EXPECT_EQ(modseq.value, 9223372036854775807ULL);
}

TEST(SearchTree, ModSeqEntry) {
    Reader r("MODSEQ \"/flags/\\\\draft\" all 620162338");
    const auto modseq = std::get<Key::ModSeq>(read_search_program(r).root.node);
    ASSERT_TRUE(modseq.entry);
    EXPECT_EQ(modseq.entry->flag, "\\draft");
    EXPECT_EQ(modseq.entry->type, Key::EntryType::all);
    EXPECT_EQ(modseq.value, 620162338u);
}

TEST(SearchTree, NormalizedForms) {
    Reader r("UNKEYWORD $Junk OLD OR NEW TO x");
    const auto program = read_search_program(r);
    const auto& keys = std::get<Key::And>(program.root.node).keys;
    ASSERT_EQ(keys.size(), 3u);
    EXPECT_EQ(std::get<Key::Flag>(std::get<Key::Not>(keys[0].node).key->node).name, "$Junk");
    EXPECT_TRUE(std::holds_alternative<Key::Recent>(std::get<Key::Not>(keys[1].node).key->node));
    const auto& either = std::get<Key::Or>(keys[2].node);
    EXPECT_EQ(std::get<Key::And>(either.left->node).keys.size(), 2u);
    EXPECT_EQ(std::get<Key::Header>(either.right->node).field, "To");
}

TEST(SearchTree, CharsetAndLiteralString) {
    Reader r("CHARSET UTF-8 SUBJECT {6}\r\nt\xC3\xA4st!");
    const auto program = read_search_program(r);
    EXPECT_EQ(program.charset, "UTF-8");
    EXPECT_EQ(std::get<Key::Header>(program.root.node).value, "t\xC3\xA4st!");
}

TEST(SearchTree, CopiesAreDeepAndIndependent) {
    auto copy = std::make_unique<SearchProgram>();
    {
        Reader r("OR NOT (SEEN KEYWORD a) (UID 1 BODY x)");
        const SearchProgram original = read_search_program(r);
        *copy = original;
        SearchProgram assigned;
        assigned = original;
        EXPECT_EQ(assigned.to_string(), original.to_string());
    }  // the original is gone; the copy must not share its nodes
    EXPECT_EQ(copy->to_string(), "OR NOT (SEEN KEYWORD a) (UID 1 BODY \"x\")");
    SearchProgram moved = std::move(*copy);
    EXPECT_EQ(moved.to_string(), "OR NOT (SEEN KEYWORD a) (UID 1 BODY \"x\")");
}

TEST(SearchTree, DefaultProgramIsAll) {
    EXPECT_EQ(SearchProgram{}.to_string(), "ALL");
}

// ---- charsets ----

TEST(SearchCharset, AcceptsUtf8AndUsAsciiInAnySpelling) {
    EXPECT_EQ(parsed("CHARSET \"UTF-8\" SEEN"), "CHARSET UTF-8 SEEN");
    EXPECT_EQ(parsed("CHARSET {8}\r\nus-ascii SEEN"), "CHARSET US-ASCII SEEN");
    EXPECT_EQ(parsed("CHARSET uTf-8 SEEN"), "CHARSET UTF-8 SEEN");
}

TEST(SearchCharset, OthersThrowBadCharsetNotSyntaxError) {
    static_assert(!std::is_base_of_v<SyntaxError, BadCharset>);
    EXPECT_EQ(BadCharset::kResponseCode, "BADCHARSET (UTF-8 US-ASCII)");
    for (std::string args : {"CHARSET KOI8-R SEEN", "CHARSET ISO-8859-1 SEEN", "CHARSET UTF8 SEEN",
                             "CHARSET \"\" SEEN", "CHARSET {5}\r\nUTF-7 SEEN",
                             "charset x-unknown SUBJECT {3}\r\n\xE4\xF6\xFC"}) {
        Reader r(args);
        EXPECT_THROW(read_search_program(r), BadCharset) << args;
    }
}

TEST(SearchCharset, MisplacedOrIncomplete) {
    EXPECT_EQ(syntax_error("CHARSET"), "Missing arguments");
    EXPECT_EQ(syntax_error("CHARSET UTF-8"), "Missing arguments");
    EXPECT_EQ(syntax_error("CHARSET UTF-8 "), "Missing arguments");
    EXPECT_EQ(syntax_error("SEEN CHARSET UTF-8"), "Unknown search key CHARSET");
    EXPECT_EQ(syntax_error("CHARSET UTF-8 CHARSET UTF-8 SEEN"), "Unknown search key CHARSET");
    EXPECT_EQ(syntax_error("CHARSETS UTF-8 SEEN"), "Unknown search key CHARSETS");
    EXPECT_EQ(syntax_error("CHARSET (UTF-8) SEEN"), "Expected a string");
}

// ---- errors ----

struct ErrorCase {
    std::string args;
    std::string error;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.args;
}

class SearchSyntaxError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SearchSyntaxError, Reason) {
    EXPECT_EQ(syntax_error(GetParam().args), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    MissingArguments, SearchSyntaxError,
    ::testing::Values(
        ErrorCase{"", "Missing arguments"}, ErrorCase{"FROM", "Missing arguments"},
        ErrorCase{"FROM ", "Missing arguments"}, ErrorCase{"HEADER Subject", "Missing arguments"},
        ErrorCase{"HEADER", "Missing arguments"}, ErrorCase{"OR SEEN", "Missing arguments"},
        ErrorCase{"OR", "Missing arguments"}, ErrorCase{"NOT", "Missing arguments"},
        ErrorCase{"BEFORE", "Missing arguments"}, ErrorCase{"SENTSINCE ", "Missing arguments"},
        ErrorCase{"LARGER", "Missing arguments"}, ErrorCase{"UID", "Missing arguments"},
        ErrorCase{"KEYWORD", "Missing arguments"}, ErrorCase{"UNKEYWORD", "Missing arguments"},
        ErrorCase{"MODSEQ", "Missing arguments"},
        ErrorCase{"MODSEQ \"/flags/\\\\Seen\" all", "Missing arguments"},
        ErrorCase{"SEEN ", "Missing arguments"},
        ErrorCase{"BODY {5}\r\nabc", "Literal shorter than announced"}));

INSTANTIATE_TEST_SUITE_P(
    BadArguments, SearchSyntaxError,
    ::testing::Values(
        ErrorCase{"LARGER x", "Expected a number"}, ErrorCase{"LARGER -1", "Expected a number"},
        ErrorCase{"SMALLER 4294967296", "Number too large"},
        ErrorCase{"UID x", "Invalid sequence set"}, ErrorCase{"UID 0", "Invalid sequence set"},
        ErrorCase{"UID 1,", "Invalid sequence set"}, ErrorCase{"0", "Invalid sequence set"},
        ErrorCase{"1:5x", "Expected a space"}, ErrorCase{"KEYWORD \\Seen", "Expected an atom"},
        ErrorCase{"KEYWORD \"a b\"", "Expected an atom"},
        ErrorCase{"FROM (x)", "Expected a string"},
        ErrorCase{"SUBJECT \"unterminated", "Unterminated quoted string"},
        ErrorCase{"MODSEQ -1", "Expected a number"},
        ErrorCase{"MODSEQ 9223372036854775808", "Number too large"},
        ErrorCase{"MODSEQ 99999999999999999999", "Number too large"},
        ErrorCase{"MODSEQ \"/flags/\\\\Seen\" 5", "MODSEQ entry type must be priv, shared or all"},
        ErrorCase{"MODSEQ \"/flags/\\\\Seen\" both 5",
                  "MODSEQ entry type must be priv, shared or all"},
        ErrorCase{"MODSEQ \"/other/x\" all 5", "MODSEQ entry name must be \"/flags/\" and a flag"},
        ErrorCase{"MODSEQ \"/flags/\" all 5", "MODSEQ entry name must be \"/flags/\" and a flag"},
        ErrorCase{"MODSEQ \"/flags/\\\\\" all 5",
                  "MODSEQ entry name must be \"/flags/\" and a flag"},
        ErrorCase{"MODSEQ \"/flags/a b\" all 5",
                  "MODSEQ entry name must be \"/flags/\" and a flag"},
        ErrorCase{"MODSEQ \"/fla\" all 5", "MODSEQ entry name must be \"/flags/\" and a flag"}));

const std::string kBadDate = "Invalid date in search (expected e.g. 1-Feb-1994)";

INSTANTIATE_TEST_SUITE_P(
    BadDates, SearchSyntaxError,
    ::testing::Values(ErrorCase{"SINCE 30-Feb-1994", kBadDate},
                      ErrorCase{"SINCE 29-Feb-1900", kBadDate},
                      ErrorCase{"BEFORE 1-Foo-1994", kBadDate},
                      ErrorCase{"ON 1994-02-01", kBadDate}, ErrorCase{"ON 1-Feb-94", kBadDate},
                      ErrorCase{"ON 001-Feb-1994", kBadDate},
                      ErrorCase{"SENTON 32-Jan-2000", kBadDate},
                      ErrorCase{"SENTBEFORE \"1-Feb-1994 00:00:00 +0000\"", kBadDate},
                      ErrorCase{"SINCE \"1-Feb-1994", "Unterminated quoted string"},
                      ErrorCase{"SINCE {10}\r\n1-Feb-1994", "Expected an atom"},
                      ErrorCase{"SINCE (1-Feb-1994)", "Expected an atom"}));

INSTANTIATE_TEST_SUITE_P(UnknownKeys, SearchSyntaxError,
                         ::testing::Values(ErrorCase{"FOO", "Unknown search key FOO"},
                                           ErrorCase{"seen flaged", "Unknown search key FLAGED"},
                                           ErrorCase{"UNRECENT", "Unknown search key UNRECENT"},
                                           ErrorCase{"UNALL", "Unknown search key UNALL"},
                                           ErrorCase{"UN", "Unknown search key UN"},
                                           ErrorCase{"UNNEW", "Unknown search key UNNEW"},
                                           ErrorCase{"X-GM-RAW x", "Unknown search key X-GM-RAW"},
                                           ErrorCase{"FUZZY SUBJECT x", "Unknown search key FUZZY"},
                                           ErrorCase{"$", "Unknown search key $"},
                                           ErrorCase{"\"SEEN\"", "Expected an atom"},
                                           ErrorCase{"\\Seen", "Expected an atom"}));

INSTANTIATE_TEST_SUITE_P(Punctuation, SearchSyntaxError,
                         ::testing::Values(ErrorCase{"(SEEN", "Missing ')' in search"},
                                           ErrorCase{"(SEEN FLAGGED", "Missing ')' in search"},
                                           ErrorCase{"((SEEN)", "Missing ')' in search"},
                                           ErrorCase{"()", "Expected an atom"},
                                           ErrorCase{"( SEEN)", "Expected an atom"},
                                           ErrorCase{"(SEEN )", "Expected an atom"},
                                           ErrorCase{"SEEN)", "Expected a space"},
                                           ErrorCase{"(SEEN))", "Expected a space"},
                                           ErrorCase{"SEEN  FLAGGED", "Expected an atom"},
                                           ErrorCase{" SEEN", "Expected an atom"},
                                           ErrorCase{"SEEN(FLAGGED)", "Expected a space"},
                                           ErrorCase{"NOT(SEEN)", "Expected a space"}));

// ---- limits ----

TEST(SearchLimits, NestingDepth) {
    EXPECT_EQ(parsed(repeated("NOT ", kMaxSearchDepth - 1) + "SEEN"),
              repeated("NOT ", kMaxSearchDepth - 1) + "SEEN");
    EXPECT_EQ(syntax_error(repeated("NOT ", kMaxSearchDepth) + "SEEN"),
              "Search keys nested too deeply");
    EXPECT_EQ(
        parsed(repeated("(", kMaxSearchDepth - 1) + "SEEN" + repeated(")", kMaxSearchDepth - 1)),
        "SEEN");
    EXPECT_EQ(
        syntax_error(repeated("(", kMaxSearchDepth) + "SEEN" + repeated(")", kMaxSearchDepth)),
        "Search keys nested too deeply");
    EXPECT_EQ(syntax_error(repeated("OR SEEN ", kMaxSearchDepth) + "SEEN"),
              "Search keys nested too deeply");
    // A client cannot exhaust the stack, however deep it tries.
    EXPECT_EQ(syntax_error(repeated("(", 1000000)), "Search keys nested too deeply");
    EXPECT_EQ(syntax_error(repeated("NOT ", 1000000)), "Search keys nested too deeply");
}

TEST(SearchLimits, KeyCount) {
    const std::string most = "SEEN" + repeated(" SEEN", kMaxSearchKeys - 1);
    Reader r(most);
    const auto program = read_search_program(r);
    EXPECT_EQ(std::get<Key::And>(program.root.node).keys.size(), kMaxSearchKeys);
    EXPECT_EQ(syntax_error(most + " SEEN"), "Too many search keys");
    // Nested keys count too: the list itself is one.
    EXPECT_EQ(syntax_error("(" + most + ")"), "Too many search keys");
    EXPECT_EQ(syntax_error("NOT " + most), "Too many search keys");  // NOT is a key as well
    EXPECT_EQ(syntax_error(repeated("OR SEEN ", 5000) + "SEEN"), "Search keys nested too deeply");
}

// ---- the Reader methods added for SEARCH ----

TEST(ReaderNumber64, ReadsUpTo63Bits) {
    Reader r("0 9223372036854775807 9223372036854775808");
    EXPECT_EQ(r.number64(), 0u);
    r.space();
    EXPECT_EQ(r.number64(), 9223372036854775807ULL);
    r.space();
    EXPECT_THROW(r.number64(), SyntaxError);
    Reader empty("x");
    EXPECT_THROW(empty.number64(), SyntaxError);
}

TEST(ReaderAcceptKeyword, WholeAtomInAnyCase) {
    Reader r("charset UTF-8");
    EXPECT_TRUE(r.accept_keyword("CHARSET"));
    EXPECT_EQ(r.position(), 7u);
    EXPECT_FALSE(r.accept_keyword("CHARSET"));  // at a space: nothing consumed
    EXPECT_EQ(r.position(), 7u);

    Reader longer("CHARSETS");
    EXPECT_FALSE(longer.accept_keyword("CHARSET"));
    EXPECT_EQ(longer.position(), 0u);
    Reader shorter("CHARS");
    EXPECT_FALSE(shorter.accept_keyword("CHARSET"));
    Reader quoted("\"CHARSET\"");
    EXPECT_FALSE(quoted.accept_keyword("CHARSET"));
    Reader paren("RETURN(");
    EXPECT_TRUE(paren.accept_keyword("return"));
    EXPECT_TRUE(paren.peek('('));
    Reader end("");
    EXPECT_FALSE(end.accept_keyword("CHARSET"));
}

}  // namespace
}  // namespace postimap::imap
