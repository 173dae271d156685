#include "server/imap/sequence_set.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace postimap::imap {
namespace {

using Intervals = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
constexpr std::uint32_t kMax = std::numeric_limits<std::uint32_t>::max();

// ---- parse: ranges as written ----

TEST(SequenceSetParse, KeepsRangesAsWritten) {
    auto set = SequenceSet::parse("2,4:7,9,12:*,*:4,*,7:3");
    ASSERT_TRUE(set);
    const std::vector<SequenceSet::Range> expected = {{2, 2},
                                                      {4, 7},
                                                      {9, 9},
                                                      {12, SequenceSet::kStar},
                                                      {SequenceSet::kStar, 4},
                                                      {SequenceSet::kStar, SequenceSet::kStar},
                                                      {7, 3}};
    EXPECT_EQ(set->ranges(), expected);
}

TEST(SequenceSetParse, AcceptsLargestNumber) {
    auto set = SequenceSet::parse("4294967295");
    ASSERT_TRUE(set);
    ASSERT_EQ(set->ranges().size(), 1u);
    EXPECT_EQ(set->ranges()[0].first, kMax);
    EXPECT_EQ(set->ranges()[0].last, kMax);
}

class SequenceSetInvalid : public ::testing::TestWithParam<const char*> {};

TEST_P(SequenceSetInvalid, Rejected) {
    EXPECT_FALSE(SequenceSet::parse(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(All, SequenceSetInvalid,
                         ::testing::Values("", ",", "1,", ",1", "1,,2", "0", "1:0", "0:1", "a",
                                           "1a", "4294967296", "99999999999999999999",
                                           "4294967295:4294967296", "01", "1:02", " 1", "1 ",
                                           "1, 2", "1 :2", "1:", ":1", ":", "1:2:3", "**", "*1",
                                           "1*", "$", "-1", "+1", "1;2", "1\n"));

TEST(SequenceSetParse, RejectsEmbeddedNul) {
    EXPECT_FALSE(SequenceSet::parse(std::string_view("1\0", 2)));
    EXPECT_FALSE(SequenceSet::parse(std::string_view("1,\0", 3)));
}

// ---- resolve ----

struct ResolveCase {
    const char* text;
    std::uint32_t largest;
    Intervals expected;
};

void PrintTo(const ResolveCase& c, std::ostream* os) {
    *os << '"' << c.text << "\" largest=" << c.largest;
}

class SequenceSetResolve : public ::testing::TestWithParam<ResolveCase> {};

TEST_P(SequenceSetResolve, Normalizes) {
    const auto& c = GetParam();
    auto set = SequenceSet::parse(c.text);
    ASSERT_TRUE(set) << c.text;
    EXPECT_EQ(set->resolve(c.largest), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, SequenceSetResolve,
    ::testing::Values(
        // RFC 3501 section 9 example: 2,4,5,6,7,9,12,13,14,15 in a 15-message mailbox.
        ResolveCase{"2,4:7,9,12:*", 15, {{2, 2}, {4, 7}, {9, 9}, {12, 15}}},
        // RFC 3501 section 9 example: "*:4" with 10 messages is 4 through 10.
        ResolveCase{"*:4", 10, {{4, 10}}}, ResolveCase{"*", 10, {{10, 10}}},
        ResolveCase{"*:*", 10, {{10, 10}}}, ResolveCase{"1:*", 10, {{1, 10}}},
        // "*" is the largest in use even when the other end is beyond it.
        ResolveCase{"5:*", 3, {{3, 5}}}, ResolveCase{"*:5", 3, {{3, 5}}},
        // Reversed ranges.
        ResolveCase{"7:4", 10, {{4, 7}}}, ResolveCase{"9:2,20:15", 0, {{2, 9}, {15, 20}}},
        // Overlapping, duplicate, adjacent and unordered ranges are merged and sorted.
        ResolveCase{"1:5,3:8", 10, {{1, 8}}}, ResolveCase{"5,5,5", 10, {{5, 5}}},
        ResolveCase{"1:3,4:6", 10, {{1, 6}}}, ResolveCase{"4,3,2,1", 10, {{1, 4}}},
        ResolveCase{"10:12,1,5:3,2", 10, {{1, 5}, {10, 12}}},
        ResolveCase{"2:4,6:8,1:10", 10, {{1, 10}}}, ResolveCase{"1:2,4:5", 10, {{1, 2}, {4, 5}}},
        ResolveCase{"12:*,11", 15, {{11, 15}}},
        // Intervals beyond largest are kept: callers clamp.
        ResolveCase{"20:30", 10, {{20, 30}}},
        // Empty mailbox: "*" alone names nothing, "n:*" becomes 1:n.
        ResolveCase{"*", 0, {}}, ResolveCase{"*:*", 0, {}}, ResolveCase{"*,*", 0, {}},
        ResolveCase{"5:*", 0, {{1, 5}}}, ResolveCase{"*,3", 0, {{3, 3}}},
        // Extremes, without wrapping when merging next to 4294967295.
        ResolveCase{"1:4294967295", 7, {{1, kMax}}},
        ResolveCase{"4294967295:1,4294967295", 7, {{1, kMax}}},
        ResolveCase{"4294967294,4294967295,1", 7, {{1, 1}, {4294967294u, kMax}}},
        ResolveCase{"*", kMax, {{kMax, kMax}}}));

TEST(SequenceSetResolve, HugeRangesAreCheap) {
    // Many ranges each spanning almost the whole UID space: must not iterate numbers.
    std::string text;
    for (int i = 0; i < 2000; ++i) {
        if (i)
            text += ',';
        text += std::to_string(4294967295u - i) + ":" + std::to_string(i + 1);
    }
    text += ",1:*";
    auto set = SequenceSet::parse(text);
    ASSERT_TRUE(set);
    // No clock: iterating over numbers would show as ctest's timeout.
    Intervals result;
    for (int rep = 0; rep < 10; ++rep)
        result = set->resolve(kMax);
    for (std::uint32_t n : {1u, 2000u, 2147483648u, kMax})
        EXPECT_TRUE(set->contains(n, kMax));
    EXPECT_EQ(result, (Intervals{{1, kMax}}));
}

// ---- contains ----

struct ContainsCase {
    const char* text;
    std::uint32_t largest;
    std::uint32_t n;
    bool expected;
};

void PrintTo(const ContainsCase& c, std::ostream* os) {
    *os << '"' << c.text << "\" largest=" << c.largest << " n=" << c.n;
}

class SequenceSetContains : public ::testing::TestWithParam<ContainsCase> {};

TEST_P(SequenceSetContains, Matches) {
    const auto& c = GetParam();
    auto set = SequenceSet::parse(c.text);
    ASSERT_TRUE(set) << c.text;
    EXPECT_EQ(set->contains(c.n, c.largest), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, SequenceSetContains,
    ::testing::Values(
        ContainsCase{"2,4:7,9,12:*", 15, 1, false}, ContainsCase{"2,4:7,9,12:*", 15, 2, true},
        ContainsCase{"2,4:7,9,12:*", 15, 3, false}, ContainsCase{"2,4:7,9,12:*", 15, 6, true},
        ContainsCase{"2,4:7,9,12:*", 15, 8, false}, ContainsCase{"2,4:7,9,12:*", 15, 9, true},
        ContainsCase{"2,4:7,9,12:*", 15, 11, false}, ContainsCase{"2,4:7,9,12:*", 15, 15, true},
        ContainsCase{"2,4:7,9,12:*", 15, 16, false}, ContainsCase{"*:4", 10, 3, false},
        ContainsCase{"*:4", 10, 4, true}, ContainsCase{"*:4", 10, 10, true},
        ContainsCase{"*:4", 10, 11, false}, ContainsCase{"7:4", 10, 5, true},
        ContainsCase{"5:*", 3, 3, true}, ContainsCase{"5:*", 3, 2, false},
        ContainsCase{"*", 0, 0, false}, ContainsCase{"*", 0, 1, false},
        ContainsCase{"5:*", 0, 1, true}, ContainsCase{"1:*", 10, 0, false},
        ContainsCase{"1:4294967295", 1, kMax, true}, ContainsCase{"*", kMax, kMax, true}));

TEST(SequenceSetContains, AgreesWithResolve) {
    for (const char* text : {"2,4:7,9,12:*", "*:4", "5:*,1", "9:2,20:15,*", "3,1:2,*:*"}) {
        auto set = SequenceSet::parse(text);
        ASSERT_TRUE(set);
        for (std::uint32_t largest : {0u, 1u, 3u, 10u, 15u, 25u}) {
            const Intervals resolved = set->resolve(largest);
            for (std::uint32_t n = 0; n <= 30; ++n) {
                bool in = false;
                for (const auto& [a, b] : resolved)
                    in = in || (a <= n && n <= b);
                EXPECT_EQ(set->contains(n, largest), in)
                    << text << " largest=" << largest << " n=" << n;
            }
        }
    }
}

// ---- format_sequence ----

struct FormatCase {
    Intervals intervals;
    const char* expected;
};

void PrintTo(const FormatCase& c, std::ostream* os) {
    *os << '"' << c.expected << '"';
}

class FormatSequence : public ::testing::TestWithParam<FormatCase> {};

TEST_P(FormatSequence, Compact) {
    EXPECT_EQ(format_sequence(GetParam().intervals), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, FormatSequence,
    ::testing::Values(FormatCase{{}, ""}, FormatCase{{{5, 5}}, "5"},
                      FormatCase{{{1, 3}, {5, 5}, {7, 9}}, "1:3,5,7:9"},
                      FormatCase{{{1, 3}, {4, 6}}, "1:6"}, FormatCase{{{1, 5}, {2, 3}}, "1:5"},
                      FormatCase{{{1, kMax}}, "1:4294967295"},
                      FormatCase{{{kMax, kMax}}, "4294967295"},
                      FormatCase{{{1, 1}, {kMax - 1, kMax}}, "1,4294967294:4294967295"}));

TEST(FormatSequence, RoundTripsThroughParse) {
    for (const char* text : {"2,4:7,9,12:*", "7:4,1", "1:4294967295", "3,1,2", "10:20,15:30"}) {
        auto set = SequenceSet::parse(text);
        ASSERT_TRUE(set);
        const Intervals resolved = set->resolve(15);
        auto reparsed = SequenceSet::parse(format_sequence(resolved));
        ASSERT_TRUE(reparsed) << format_sequence(resolved);
        EXPECT_EQ(reparsed->resolve(15), resolved) << text;
    }
}

}  // namespace
}  // namespace postimap::imap
