#include "server/imap/date_time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace postimap::imap {
namespace {

// Expected epoch values below were computed independently with python3, e.g.
//   int(datetime.datetime.strptime("07-Feb-1994 21:52:25 -0800",
//                                  "%d-%b-%Y %H:%M:%S %z").timestamp())   -> 760686745
//   calendar.timegm(datetime.datetime.strptime("1-Feb-1994", "%d-%b-%Y").timetuple())
//                                                                         -> 760060800
// and hard-coded here.

struct DateTimeCase {
    const char* text;
    std::int64_t epoch;
};

void PrintTo(const DateTimeCase& c, std::ostream* os) {
    *os << '"' << c.text << '"';
}

class ParseDateTimeValid : public ::testing::TestWithParam<DateTimeCase> {};

TEST_P(ParseDateTimeValid, Epoch) {
    EXPECT_EQ(parse_date_time(GetParam().text), std::optional<std::int64_t>(GetParam().epoch));
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseDateTimeValid,
    ::testing::Values(
        // RFC 3501 examples, with every accepted day form.
        DateTimeCase{" 7-Feb-1994 21:52:25 -0800", 760686745},
        DateTimeCase{"07-Feb-1994 21:52:25 -0800", 760686745},
        DateTimeCase{"7-Feb-1994 21:52:25 -0800", 760686745},
        DateTimeCase{"17-Jul-1996 02:44:25 -0700", 837596665},
        // Month names are case-insensitive.
        DateTimeCase{"17-JUL-1996 02:44:25 -0700", 837596665},
        DateTimeCase{"17-jul-1996 02:44:25 -0700", 837596665},
        DateTimeCase{"17-jUl-1996 02:44:25 -0700", 837596665},
        DateTimeCase{"01-Jan-1970 00:00:00 +0000", 0},
        DateTimeCase{"01-Jan-1970 00:00:00 -0000", 0},
        DateTimeCase{"01-Jan-1970 00:00:00 +0100", -3600},
        DateTimeCase{"31-Dec-1969 23:59:59 +0000", -1},
        DateTimeCase{"29-Feb-2000 12:00:00 +0000", 951825600},
        DateTimeCase{"15-Mar-2024 10:30:00 +0530", 1710478800},
        DateTimeCase{"19-Jan-2038 03:14:08 +0000", 2147483648},
        DateTimeCase{"28-Feb-2100 23:59:59 +0000", 4107542399},
        DateTimeCase{"01-Mar-2100 00:00:00 +0000", 4107542400},
        DateTimeCase{"01-Jan-0001 00:00:00 +0000", -62135596800},
        DateTimeCase{"01-Jan-0000 00:00:00 +0000", -62167219200},
        DateTimeCase{"31-Dec-9999 23:59:59 +0000", 253402300799},
        // Largest zones: 946684800 is 01-Jan-2000 00:00:00 UTC; 99h59m is 359940 s.
        DateTimeCase{"01-Jan-2000 00:00:00 -9959", 946684800 + 359940},
        DateTimeCase{"01-Jan-2000 00:00:00 +9959", 946684800 - 359940},
        // A leap second counts as the first second of the next minute.
        DateTimeCase{"31-Dec-1969 23:59:60 +0000", 0}));

class ParseDateTimeInvalid : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseDateTimeInvalid, Rejected) {
    EXPECT_FALSE(parse_date_time(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseDateTimeInvalid,
    ::testing::Values(
        "", "\" 7-Feb-1994 21:52:25 -0800\"",  // quotes are the caller's business
        "  7-Feb-1994 21:52:25 -0800", " 17-Feb-1994 21:52:25 -0800", "007-Feb-1994 21:52:25 -0800",
        "00-Feb-1994 21:52:25 -0800", "32-Jan-1994 21:52:25 -0800", "31-Apr-1994 21:52:25 -0800",
        "29-Feb-1900 00:00:00 +0000",  // 1900 is not a leap year
        "29-Feb-1999 00:00:00 +0000", "30-Feb-2000 00:00:00 +0000", "07-Foo-1994 21:52:25 -0800",
        "07-February-1994 21:52:25 -0800", "07-Fe-1994 21:52:25 -0800", "07-Feb-94 21:52:25 -0800",
        "07-Feb-19940 21:52:25 -0800", "07 Feb 1994 21:52:25 -0800", "07-Feb-1994  21:52:25 -0800",
        "07-Feb-1994T21:52:25 -0800", "07-Feb-1994 24:00:00 -0800", "07-Feb-1994 21:60:25 -0800",
        "07-Feb-1994 21:52:61 -0800", "07-Feb-1994 1:52:25 -0800", "07-Feb-1994 21:52 -0800",
        "07-Feb-1994 21:52:25", "07-Feb-1994 21:52:25 ", "07-Feb-1994 21:52:25 0800",
        "07-Feb-1994 21:52:25 -080", "07-Feb-1994 21:52:25 -08000", "07-Feb-1994 21:52:25 -0860",
        "07-Feb-1994 21:52:25 PST", "07-Feb-1994 21:52:25 -08:00", "07-Feb-1994 21:52:25 -0800 ",
        "07-Feb-1994 21:52:25  -0800", "07-Feb-1994", "+7-Feb-1994 21:52:25 -0800",
        "-7-Feb-1994 21:52:25 -0800"));

// ---- format_date_time ----

struct FormatCase {
    std::int64_t epoch;
    int zone_minutes;
    const char* expected;
};

void PrintTo(const FormatCase& c, std::ostream* os) {
    *os << c.epoch << " " << c.zone_minutes;
}

class FormatDateTime : public ::testing::TestWithParam<FormatCase> {};

TEST_P(FormatDateTime, Text) {
    const auto& c = GetParam();
    EXPECT_EQ(format_date_time(c.epoch, c.zone_minutes), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, FormatDateTime,
    ::testing::Values(
        FormatCase{760686745, -480, " 7-Feb-1994 21:52:25 -0800"},
        FormatCase{760686745, 0, " 8-Feb-1994 05:52:25 +0000"},
        FormatCase{837596665, -420, "17-Jul-1996 02:44:25 -0700"},
        FormatCase{0, 0, " 1-Jan-1970 00:00:00 +0000"},
        FormatCase{-1, 0, "31-Dec-1969 23:59:59 +0000"},
        FormatCase{-3600, 60, " 1-Jan-1970 00:00:00 +0100"},
        FormatCase{1710478800, 330, "15-Mar-2024 10:30:00 +0530"},
        FormatCase{951825600, 0, "29-Feb-2000 12:00:00 +0000"},
        FormatCase{4107542399, 0, "28-Feb-2100 23:59:59 +0000"},
        FormatCase{-62135596800, 0, " 1-Jan-0001 00:00:00 +0000"},
        FormatCase{253402300799, 0, "31-Dec-9999 23:59:59 +0000"},
        FormatCase{946684800 + 359940, -5999, " 1-Jan-2000 00:00:00 -9959"},
        // Out-of-range zones and times are clamped to what the grammar allows.
        FormatCase{946684800 + 359940, -100000, " 1-Jan-2000 00:00:00 -9959"},
        FormatCase{253402300800, 0, "31-Dec-9999 23:59:59 +0000"},
        FormatCase{std::numeric_limits<std::int64_t>::max(), 5999, "31-Dec-9999 23:59:59 +9959"},
        FormatCase{std::numeric_limits<std::int64_t>::min(), -5999, " 1-Jan-0000 00:00:00 -9959"}));

TEST(FormatDateTime, DefaultZoneIsUtc) {
    EXPECT_EQ(format_date_time(760686745), " 8-Feb-1994 05:52:25 +0000");
}

TEST(FormatDateTime, RoundTripsThroughParse) {
    // Every day for ~3 years around a leap year at an odd time, plus a spread of eras and zones.
    for (std::int64_t t = 946684800 - 400 * 86400; t < 946684800 + 800 * 86400; t += 86400 + 37) {
        for (int zone : {0, -480, 330, 5999, -5999, 1}) {
            const std::string text = format_date_time(t, zone);
            EXPECT_EQ(parse_date_time(text), std::optional<std::int64_t>(t)) << text;
        }
    }
    for (std::int64_t t :
         {std::int64_t{-62135596800}, std::int64_t{-2208988800}, std::int64_t{0},
          std::int64_t{2147483647}, std::int64_t{4107542400}, std::int64_t{253402300799}}) {
        const std::string text = format_date_time(t);
        EXPECT_EQ(parse_date_time(text), std::optional<std::int64_t>(t)) << text;
    }
}

TEST(ParseDateTime, ParsedTextFormatsBack) {
    for (const char* text : {" 7-Feb-1994 21:52:25 -0800", "17-Jul-1996 02:44:25 -0700",
                             "29-Feb-2000 00:00:00 +0000", "31-Dec-1999 23:59:59 +1400"}) {
        const auto epoch = parse_date_time(text);
        ASSERT_TRUE(epoch) << text;
        const std::string zone(std::string_view(text).substr(21));
        const int minutes = (zone[0] == '-' ? -1 : 1) *
                            (std::stoi(zone.substr(1, 2)) * 60 + std::stoi(zone.substr(3, 2)));
        EXPECT_EQ(format_date_time(*epoch, minutes), text);
    }
}

// ---- parse_date ----

class ParseDateValid : public ::testing::TestWithParam<DateTimeCase> {};

TEST_P(ParseDateValid, MidnightUtc) {
    EXPECT_EQ(parse_date(GetParam().text), std::optional<std::int64_t>(GetParam().epoch));
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseDateValid,
    ::testing::Values(DateTimeCase{"1-Feb-1994", 760060800}, DateTimeCase{"01-Feb-1994", 760060800},
                      DateTimeCase{"01-FEB-1994", 760060800}, DateTimeCase{"1-feb-1994", 760060800},
                      DateTimeCase{"01-Jan-1970", 0}, DateTimeCase{"31-Dec-1969", -86400},
                      DateTimeCase{"29-Feb-2000", 951782400},
                      DateTimeCase{"29-Feb-2400", 13574563200},
                      DateTimeCase{"7-Feb-2025", 1738886400}));

class ParseDateInvalid : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseDateInvalid, Rejected) {
    EXPECT_FALSE(parse_date(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(All, ParseDateInvalid,
                         ::testing::Values("", "\"1-Feb-1994\"", " 1-Feb-1994", "001-Feb-1994",
                                           "0-Feb-1994", "00-Feb-1994", "29-Feb-1900",
                                           "29-Feb-2100", "29-Feb-2023", "31-Jun-2024",
                                           "32-Dec-2024", "1-Fbr-1994", "1-Feb-94", "1-Feb-19945",
                                           "1 Feb 1994", "1-Feb-1994 ", "1-Feb-1994 00:00:00",
                                           "1/Feb/1994", "Feb-1-1994"));

}  // namespace
}  // namespace postimap::imap
