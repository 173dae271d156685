#include "server/imap/flag_names.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/imap/reader.hpp"

namespace postimap::commands {
namespace {

using Strings = std::vector<std::string>;

storage::SystemFlags system_flags(bool seen, bool answered, bool flagged, bool deleted,
                                  bool draft) {
    storage::SystemFlags s;
    s.seen = seen;
    s.answered = answered;
    s.flagged = flagged;
    s.deleted = deleted;
    s.draft = draft;
    return s;
}

// ---- parse_settable_flags ----

struct ParseCase {
    std::string name;
    Strings input;
    storage::SystemFlags system;
    Strings keywords;
};

std::ostream& operator<<(std::ostream& os, const ParseCase& c) {
    return os << c.name;
}

class ParseSettableFlags : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseSettableFlags, Parses) {
    const auto& c = GetParam();
    auto flags = imap::parse_settable_flags(c.input);
    EXPECT_EQ(flags.system, c.system);
    EXPECT_EQ(flags.keywords, c.keywords);
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseSettableFlags,
    ::testing::Values(
        ParseCase{"Empty", {}, {}, {}},
        ParseCase{"EachSystemFlag",
                  {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"},
                  system_flags(true, true, true, true, true),
                  {}},
        ParseCase{"SystemFlagsAnyCase",
                  {"\\seen", "\\ANSWERED", "\\fLaGgEd", "\\deleteD", "\\DrAfT"},
                  system_flags(true, true, true, true, true),
                  {}},
        ParseCase{"OnlySeen", {"\\SEEN"}, system_flags(true, false, false, false, false), {}},
        ParseCase{"OnlyDraft", {"\\draft"}, system_flags(false, false, false, false, true), {}},
        ParseCase{"RepeatedSystemFlag",
                  {"\\Seen", "\\seen", "\\SEEN"},
                  system_flags(true, false, false, false, false),
                  {}},
        ParseCase{
            "KeywordsKeptAsWritten", {"$Junk", "work", "MyFlag"}, {}, {"$Junk", "work", "MyFlag"}},
        ParseCase{"KeywordsDeduplicatedCaseInsensitively",
                  {"$Junk", "$junk", "Work", "WORK", "$NotJunk", "$JUNK"},
                  {},
                  {"$Junk", "Work", "$NotJunk"}},
        ParseCase{"KeywordNamedLikeSystemFlagWithoutBackslash", {"Seen"}, {}, {"Seen"}},
        ParseCase{"Mixed",
                  {"\\Seen", "$Junk", "\\Flagged", "$junk", "\\seen"},
                  system_flags(true, false, true, false, false),
                  {"$Junk"}}),
    [](const auto& info) { return info.param.name; });

class ParseSettableFlagsRejects : public ::testing::TestWithParam<Strings> {};

TEST_P(ParseSettableFlagsRejects, ThrowsSyntaxError) {
    EXPECT_THROW(imap::parse_settable_flags(GetParam()), imap::SyntaxError);
}

INSTANTIATE_TEST_SUITE_P(All, ParseSettableFlagsRejects,
                         ::testing::Values(Strings{"\\Recent"}, Strings{"\\recent"},
                                           Strings{"\\RECENT"}, Strings{"\\*"},
                                           Strings{"\\Unknown"}, Strings{"\\"}, Strings{"\\Seenx"},
                                           Strings{"\\See"}, Strings{"\\Seen", "$Junk", "\\Recent"},
                                           Strings{"\\Deleted", "\\*"}));

// ---- format_flags ----

TEST(FormatFlags, Empty) {
    EXPECT_EQ(imap::format_flags({}), "");
}

TEST(FormatFlags, FixedOrderKeywordsLast) {
    storage::Flags flags;
    flags.system = system_flags(true, true, true, true, true);
    flags.keywords = {"$Junk", "Work"};
    EXPECT_EQ(imap::format_flags(flags),
              "\\Seen \\Answered \\Flagged \\Deleted \\Draft $Junk Work");
}

TEST(FormatFlags, SingleFlags) {
    storage::Flags draft;
    draft.system.draft = true;
    EXPECT_EQ(imap::format_flags(draft), "\\Draft");
    storage::Flags keyword;
    keyword.keywords = {"$Forwarded"};
    EXPECT_EQ(imap::format_flags(keyword), "$Forwarded");
    storage::Flags two;
    two.system.deleted = true;
    two.system.answered = true;
    EXPECT_EQ(imap::format_flags(two), "\\Answered \\Deleted");
}

TEST(FormatFlags, OrderDoesNotFollowInput) {
    auto flags = imap::parse_settable_flags({"$Junk", "\\Draft", "\\seen", "Work", "\\FLAGGED"});
    EXPECT_EQ(imap::format_flags(flags), "\\Seen \\Flagged \\Draft $Junk Work");
}

// ---- format_defined_flags ----

TEST(FormatDefinedFlags, SystemFlagsOnly) {
    EXPECT_EQ(imap::format_defined_flags({}), "\\Answered \\Flagged \\Deleted \\Seen \\Draft");
}

TEST(FormatDefinedFlags, KeywordsAppendedInOrder) {
    EXPECT_EQ(imap::format_defined_flags({"$Junk", "Work", "$NotJunk"}),
              "\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk Work $NotJunk");
}

}  // namespace
}  // namespace postimap::commands
