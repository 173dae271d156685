#include "storage/mime/date.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace postimap::mime {
namespace {

struct DateCase {
    const char* label;
    std::string text;
    std::int64_t epoch;
};

std::ostream& operator<<(std::ostream& os, const DateCase& c) {
    return os << c.label;
}

class ParseDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(ParseDateTest, Epoch) {
    const auto& c = GetParam();
    auto parsed = parse_rfc5322_date(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(*parsed, c.epoch) << c.text;
}

// Expected values computed with Python 3:
//   int(email.utils.parsedate_to_datetime(text).timestamp())
// except where marked [dt]: Python's parser reads those differently from
// RFC 5322 4.3 (2-digit years 50-68 become 20xx, 3-digit years, military and
// unknown zones give a naive time, leap seconds), so the value is
//   int(datetime(Y, M, D, h, m, s, tzinfo=timezone.utc).timestamp())
// of the date as RFC 5322 reads it.
INSTANTIATE_TEST_SUITE_P(
    Valid, ParseDateTest,
    ::testing::Values(
        // RFC 5322 Appendix A examples.
        DateCase{"rfc_a1_1", "Fri, 21 Nov 1997 09:55:06 -0600", 880127706},
        DateCase{"rfc_a1_3", "Tue, 1 Jul 2003 10:52:37 +0200", 1057049557},
        DateCase{"rfc_a3", "Mon, 24 Nov 1997 14:22:01 -0800", 880410121},
        DateCase{"rfc_a5", "Thu, 13 Feb 1969 23:32:54 -0330", -27723426},
        DateCase{"rfc_a5_folded_comment",
                 "Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
                 "               -0330 (Newfoundland Time)",
                 -27723480},
        DateCase{"rfc_a6_2_obsolete", "21 Nov 97 09:55:06 GMT", 880106106},
        DateCase{"trailing_comment", "Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", 1057049557},
        DateCase{"epoch", "1 Jan 1970 00:00:00 +0000", 0},
        DateCase{"minus_zero", "Fri, 21 Nov 1997 09:55:06 -0000", 880106106},
        DateCase{"odd_offset", "Fri, 21 Nov 1997 09:55:06 +0545", 880085406},
        DateCase{"big_offset_after_2038", "31 Dec 2038 23:59:59 +1400", 2177402399},
        DateCase{"no_seconds", "1 Jan 2000 00:00 UT", 946684800},
        DateCase{"lower_and_upper_case", "fri, 21 NOV 1997 09:55:06 gmt", 880106106},
        DateCase{"leap_day", "Tue, 29 Feb 2000 12:00:00 +0000", 951825600},
        // Named zones.
        DateCase{"zone_gmt", "Sat, 1 Jan 2000 00:00:00 GMT", 946684800},
        DateCase{"zone_est", "Sat, 1 Jan 2000 00:00:00 EST", 946702800},
        DateCase{"zone_edt", "Sat, 1 Jan 2000 00:00:00 EDT", 946699200},
        DateCase{"zone_cst", "Sat, 1 Jan 2000 00:00:00 CST", 946706400},
        DateCase{"zone_cdt", "Sat, 1 Jan 2000 00:00:00 CDT", 946702800},
        DateCase{"zone_mst", "Sat, 1 Jan 2000 00:00:00 MST", 946710000},
        DateCase{"zone_mdt", "Sat, 1 Jan 2000 00:00:00 MDT", 946706400},
        DateCase{"zone_pst", "Sat, 1 Jan 2000 00:00:00 PST", 946713600},
        DateCase{"zone_pdt", "Sat, 1 Jan 2000 00:00:00 PDT", 946710000},
        // [dt] military letters and unknown alphabetic zones are -0000.
        DateCase{"zone_military_z", "Fri, 21 Nov 1997 09:55:06 Z", 880106106},
        DateCase{"zone_military_lower_a", "Fri, 21 Nov 1997 09:55:06 a", 880106106},
        DateCase{"zone_unknown_name", "Fri, 21 Nov 1997 09:55:06 CEST", 880106106},
        // Two- and three-digit years (RFC 5322 4.3).
        DateCase{"year_00", "1 Jan 00 00:00:00 +0000", 946684800},
        DateCase{"year_49", "1 Jan 49 00:00:00 +0000", 2493072000},
        DateCase{"year_50_dt", "1 Jan 50 00:00:00 +0000", -631152000},    // [dt] 1950
        DateCase{"year_68_dt", "1 Jan 68 00:00:00 +0000", -63158400},     // [dt] 1968
        DateCase{"year_103_dt", "1 Jan 103 00:00:00 +0000", 1041379200},  // [dt] 2003
        DateCase{"year_1900_not_leap_mar_1", "1 Mar 1900 00:00:00 +0000", -2203891200},  // [dt]
        DateCase{"year_9999", "31 Dec 9999 23:59:59 +0000", 253402300799},               // [dt]
        // [dt] leap second: 2016-12-31 23:59:60 is 2017-01-01 00:00:00.
        DateCase{"leap_second", "31 Dec 2016 23:59:60 +0000", 1483228800},
        // CFWS in obsolete places; equal to 21 Nov 1997 09:55:06 UTC [dt].
        DateCase{"comments_everywhere",
                 "(c) Fri (d) , (e) 21 (f) Nov (g) 1997 (h) 09 (i) : (j) 55 (k) : (l) 06 (m) GMT "
                 "(n)",
                 880106106},
        DateCase{"nested_comment_and_quoted_pair",
                 "Fri, 21 Nov 1997 09:55:06 GMT (a (b (c)) \\) \\( d)", 880106106},
        DateCase{"no_space_obsolete", "Fri,21Nov1997 09:55:06GMT", 880106106},
        DateCase{"leading_and_trailing_space", "  \t Fri, 21 Nov 1997 09:55:06 GMT \r\n",
                 880106106},
        DateCase{"day_of_week_not_checked", "Mon, 21 Nov 1997 09:55:06 GMT", 880106106}),
    [](const ::testing::TestParamInfo<DateCase>& info) { return std::string(info.param.label); });

class RejectDateTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RejectDateTest, Nullopt) {
    EXPECT_EQ(parse_rfc5322_date(GetParam()), std::nullopt) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, RejectDateTest,
    ::testing::Values(
        "", "   ", "(comment only)", "garbage", "Fri, 21 Nov 1997", "Fri, 21 Nov 1997 09",
        "Fri, 21 Nov 1997 09:55:06",         // the zone is required
        "Fri 21 Nov 1997 09:55:06 GMT",      // no comma
        "Friday, 21 Nov 1997 09:55:06 GMT",  // long name
        "Fri, 21 November 1997 09:55:06 GMT", "Fri, 21 Foo 1997 09:55:06 GMT",
        "Fri, 0 Nov 1997 09:55:06 GMT", "Fri, 32 Dec 1997 09:55:06 GMT",
        "Fri, 31 Nov 1997 09:55:06 GMT",
        "29 Feb 1900 00:00:00 GMT",  // 1900 is not leap
        "29 Feb 2001 00:00:00 GMT", "30 Feb 2000 00:00:00 GMT", "1 Jan 1899 00:00:00 GMT",
        "1 Jan 7 00:00:00 GMT",  // 1-digit year
        "1 Jan 1234567890 00:00:00 GMT", "001 Jan 2000 00:00:00 GMT", "1 Jan 2000 24:00:00 GMT",
        "1 Jan 2000 00:60:00 GMT", "1 Jan 2000 00:00:61 GMT", "1 Jan 2000 9:55:06 GMT",
        "1 Jan 2000 09:5:06 GMT", "1 Jan 2000 09:55:6 GMT", "1 Jan 2000 09:55:06 +0060",
        "1 Jan 2000 09:55:06 +060", "1 Jan 2000 09:55:06 +00000", "1 Jan 2000 09:55:06 +",
        "1 Jan 2000 09:55:06 J",  // J is not a military zone
        "1 Jan 2000 09:55:06 +0000 CEST", "1 Jan 2000 09:55:06 +0000 (unterminated",
        "1 Jan 2000 09:55:06 +0000 )", "1 Jan 2000 09:55:06 +0000 (x\\",
        "1 Jan 2000 09:55:06 +0000 extra 1", "1 Jan 2000 09:55:06 GMT+0100",
        "1 Jan 2000 09:55:06 +02:00", std::string("1 Jan 2000 09:55:06 +0000\0", 26),
        "2000-01-01T09:55:06Z"));

}  // namespace
}  // namespace postimap::mime

namespace postimap::mime {
namespace {

// SEARCH SENT* compare the day as written (RFC 3501 6.4.4). Values from
// python3: calendar.timegm((2024,3,1,0,0,0)) and ((2024,3,2,4,30,0)).
TEST(Rfc5322DateParts, WrittenDayIgnoresTheZone) {
    auto parts = parse_rfc5322_date_parts("Fri, 01 Mar 2024 23:30:00 -0500");
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->written_day, 1709251200);
    EXPECT_EQ(parts->instant, 1709353800);
    EXPECT_FALSE(parse_rfc5322_date_parts("not a date"));
}

}  // namespace
}  // namespace postimap::mime
