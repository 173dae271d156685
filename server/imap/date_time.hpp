// RFC 3501 date-time (INTERNALDATE, APPEND) and search dates (SINCE, BEFORE, ON, ...).
// Pure calendar arithmetic in UTC: no dependence on TZ, timegm or the C library clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postimap::imap {

// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE,
// given WITHOUT the quotes, e.g. " 7-Feb-1994 21:52:25 -0800" or "17-Jul-1996 02:44:25 -0700".
// The day may be " 7", "07" or "7"; the month name is case-insensitive; the year is exactly
// 4 digits; time is hh:mm:ss (2 digits each) and zone is +hhmm / -hhmm. Validates the day for
// the month (Gregorian leap years), hour < 24, minute < 60, second <= 60 (a leap second is
// counted as the first second of the next minute) and zone minutes < 60, hours <= 99.
// Returns seconds since the Unix epoch (UTC), or nullopt.
std::optional<std::int64_t> parse_date_time(std::string_view text);

// Formats epoch seconds as an INTERNALDATE date-time WITHOUT quotes, shown in the zone
// `zone_minutes` east of UTC (default 0 => "+0000"): "dd-Mon-yyyy hh:mm:ss +zzzz" with the day
// space-padded to 2 characters (" 7-Feb-1994 21:52:25 -0800"). The zone is clamped to
// +-99:59 and the local time to years 0000..9999, so the output always parses back.
std::string format_date_time(std::int64_t epoch_seconds, int zone_minutes = 0);

// RFC 3501 search date: date-text = date-day "-" date-month "-" date-year, date-day = 1*2DIGIT
// ("1-Feb-1994", "01-Feb-1994"), given without quotes. Returns the epoch seconds of
// 00:00:00 UTC of that day, or nullopt.
std::optional<std::int64_t> parse_date(std::string_view text);

}  // namespace postimap::imap
