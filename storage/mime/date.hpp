// RFC 5322 date-time parsing (Date:, Resent-Date:), to seconds since the epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace postimap::mime {

// Parses an RFC 5322 date-time (section 3.3) including the obsolete syntax
// (section 4.3): optional day-of-week, 2- and 3-digit years (00-49 -> 20xx,
// 50-99 and 3 digits -> +1900), missing seconds, comments and folding white
// space anywhere between tokens, and named zones (UT, GMT, EST, EDT, CST, CDT,
// MST, MDT, PST, PDT; military letters and unknown alphabetic zones count as
// -0000). Names are case-insensitive. The zone is required; the day-of-week,
// when present, is not checked against the date. Ranges are validated (day
// valid for the month, year >= 1900, hour < 24, minute < 60, second <= 60,
// zone minutes < 60).
// Returns seconds since the Unix epoch (UTC), or nullopt when it cannot be read.
std::optional<std::int64_t> parse_rfc5322_date(std::string_view text);

struct DateParts {
    std::int64_t instant;  // seconds since the Unix epoch (UTC)
    // 00:00 UTC of the calendar day as written, whatever the zone: what
    // SENTBEFORE/SENTON/SENTSINCE compare (RFC 3501 6.4.4 "disregarding time
    // and timezone").
    std::int64_t written_day;
};
std::optional<DateParts> parse_rfc5322_date_parts(std::string_view text);

}  // namespace postimap::mime
