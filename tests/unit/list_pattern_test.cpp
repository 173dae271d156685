#include "server/imap/list_pattern.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postimap::imap {
namespace {

struct MatchCase {
    std::string pattern;
    std::string name;
    bool matches;
};

std::ostream& operator<<(std::ostream& os, const MatchCase& c) {
    return os << "pattern \"" << c.pattern << "\" name \"" << c.name << "\"";
}

class ListPatternMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(ListPatternMatch, Rfc3501Semantics) {
    const auto& c = GetParam();
    EXPECT_EQ(list_pattern_matches(c.pattern, c.name), c.matches);
}

INSTANTIATE_TEST_SUITE_P(
    Exact, ListPatternMatch,
    ::testing::Values(MatchCase{"INBOX", "INBOX", true}, MatchCase{"INBOX", "INBO", false},
                      MatchCase{"INBOX", "INBOXX", false}, MatchCase{"a/b", "a/b", true},
                      MatchCase{"a/b", "a/c", false}, MatchCase{"Work", "work", false},
                      MatchCase{"a.b", "axb", false}, MatchCase{"a?b", "a?b", true},
                      MatchCase{"a?b", "axb", false}));

INSTANTIATE_TEST_SUITE_P(Empty, ListPatternMatch,
                         ::testing::Values(MatchCase{"", "", true}, MatchCase{"", "a", false},
                                           MatchCase{"*", "", true}, MatchCase{"%", "", true},
                                           MatchCase{"a", "", false}));

// "*" crosses the hierarchy delimiter, "%" does not (RFC 3501 6.3.8).
INSTANTIATE_TEST_SUITE_P(
    Star, ListPatternMatch,
    ::testing::Values(MatchCase{"*", "INBOX", true}, MatchCase{"*", "a/b/c", true},
                      MatchCase{"*", "/", true}, MatchCase{"a/*", "a/b/c", true},
                      MatchCase{"a/*", "a/", true}, MatchCase{"a/*", "a", false},
                      MatchCase{"a*", "abc/def", true}, MatchCase{"*c", "a/b/c", true},
                      MatchCase{"*c", "a/b/cd", false}));

INSTANTIATE_TEST_SUITE_P(
    Percent, ListPatternMatch,
    ::testing::Values(MatchCase{"%", "INBOX", true}, MatchCase{"%", "a/b", false},
                      MatchCase{"%", "/", false}, MatchCase{"%", "a/", false},
                      MatchCase{"%/%", "a/b", true}, MatchCase{"%/%", "a/b/c", false},
                      MatchCase{"%/%", "a", false}, MatchCase{"%/%", "/", true},
                      MatchCase{"a/%", "a/b", true}, MatchCase{"a/%", "a/", true},
                      MatchCase{"a/%", "a/b/c", false}, MatchCase{"%/b", "a/b", true},
                      MatchCase{"%/b", "x/a/b", false}, MatchCase{"%%", "a/b", false},
                      MatchCase{"%/", "a/", true}, MatchCase{"a%", "abc", true},
                      MatchCase{"a%", "ab/c", false}));

INSTANTIATE_TEST_SUITE_P(
    Mixed, ListPatternMatch,
    ::testing::Values(MatchCase{"a*b", "ab", true}, MatchCase{"a*b", "axxb", true},
                      MatchCase{"a*b", "a/x/b", true}, MatchCase{"a*b", "abc", false},
                      MatchCase{"a*b", "ba", false}, MatchCase{"a*b", "abab", true},
                      MatchCase{"a%b", "axb", true}, MatchCase{"a%b", "a/b", false},
                      MatchCase{"*%*", "", true}, MatchCase{"*%*", "a/b/c", true},
                      MatchCase{"%*", "a/b", true}, MatchCase{"*%", "a/b", true},
                      MatchCase{"%*%", "/", true}, MatchCase{"*/%", "a/b/c", true},
                      MatchCase{"*/%", "abc", false}, MatchCase{"%/*", "a/b/c", true},
                      MatchCase{"%/*", "abc", false}, MatchCase{"**", "x/y", true},
                      MatchCase{"a%c%e", "abcde", true}, MatchCase{"a%c%e", "ab/cde", false}));

TEST(ListPatternMatchDelimiter, OtherDelimiter) {
    EXPECT_FALSE(list_pattern_matches("%", "a.b", '.'));
    EXPECT_TRUE(list_pattern_matches("%", "a/b", '.'));
    EXPECT_TRUE(list_pattern_matches("%.%", "a.b", '.'));
    EXPECT_TRUE(list_pattern_matches("*", "a.b.c", '.'));
}

// A backtracking matcher takes exponential time on these; the DP one is
// O(|pattern| * |name|). No clock here: a regression shows as ctest's
// timeout, not as a flaky timing assertion.
TEST(ListPatternMatchCost, PathologicalPatternsFinish) {
    const std::string long_name(20000, 'a');
    EXPECT_FALSE(list_pattern_matches("*a*a*a*a*a*a*a*a*b", long_name));
    EXPECT_TRUE(list_pattern_matches("*a*a*a*a*a*a*a*a*b", long_name + "b"));
    EXPECT_FALSE(list_pattern_matches("%a%a%a%a%a%a%a%a%b", long_name));
    EXPECT_FALSE(list_pattern_matches(std::string(200, '*') + "b", long_name));
}

// ---- canonical_list_pattern ----

struct CanonicalCase {
    std::string reference;
    std::string pattern;
    std::string canonical;
};

std::ostream& operator<<(std::ostream& os, const CanonicalCase& c) {
    return os << "reference \"" << c.reference << "\" pattern \"" << c.pattern << "\"";
}

class CanonicalListPattern : public ::testing::TestWithParam<CanonicalCase> {};

TEST_P(CanonicalListPattern, JoinsAndSpellsInbox) {
    const auto& c = GetParam();
    EXPECT_EQ(canonical_list_pattern(c.reference, c.pattern), c.canonical);
}

INSTANTIATE_TEST_SUITE_P(
    All, CanonicalListPattern,
    ::testing::Values(
        CanonicalCase{"", "", ""}, CanonicalCase{"", "*", "*"}, CanonicalCase{"", "%", "%"},
        CanonicalCase{"", "INBOX", "INBOX"}, CanonicalCase{"", "inbox", "INBOX"},
        CanonicalCase{"", "Inbox", "INBOX"}, CanonicalCase{"", "iNbOx", "INBOX"},
        CanonicalCase{"", "Inbox/x", "INBOX/x"}, CanonicalCase{"", "inbox/%", "INBOX/%"},
        CanonicalCase{"", "inbox/Inbox", "INBOX/Inbox"}, CanonicalCase{"", "inboxes", "inboxes"},
        CanonicalCase{"", "inbox*", "inbox*"}, CanonicalCase{"", "inbo", "inbo"},
        CanonicalCase{"", "xinbox", "xinbox"}, CanonicalCase{"", "%/inbox", "%/inbox"},
        CanonicalCase{"", "inbox.foo", "inbox.foo"}, CanonicalCase{"inbox", "", "INBOX"},
        CanonicalCase{"inbox/", "%", "INBOX/%"}, CanonicalCase{"Inbox", "/*", "INBOX/*"},
        CanonicalCase{"in", "box/x", "INBOX/x"}, CanonicalCase{"foo/", "bar", "foo/bar"},
        CanonicalCase{"archive/", "%", "archive/%"}, CanonicalCase{"a", "inbox", "ainbox"},
        CanonicalCase{"~smith/Mail/", "foo.*", "~smith/Mail/foo.*"}));

}  // namespace
}  // namespace postimap::imap
