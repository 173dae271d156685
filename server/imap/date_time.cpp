#include "server/imap/date_time.hpp"

#include <algorithm>
#include <array>

namespace postimap::imap {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr std::int64_t kSecondsPerDay = 86400;
// 0000-01-01 and 9999-12-31 as days since 1970-01-01.
constexpr std::int64_t kMinDay = -719528;
constexpr std::int64_t kMaxDay = 2932896;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_leap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(std::int64_t y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;                                    // [0, 399]
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
    return era * 146097 + doe - 719468;
}

struct Civil {
    std::int64_t year;
    int month;
    int day;
};

// Inverse of days_from_civil.
Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
    const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return Civil{yoe + era * 400 + (m <= 2), m, d};
}

// A small cursor over the text; every reader fails without consuming on mismatch.
struct Reader {
    std::string_view text;
    std::size_t pos = 0;

    bool done() const { return pos == text.size(); }
    bool literal(char c) {
        if (pos >= text.size() || text[pos] != c)
            return false;
        ++pos;
        return true;
    }
    // Exactly n digits.
    std::optional<int> digits(std::size_t n) {
        if (text.size() - pos < n)
            return std::nullopt;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!is_digit(text[pos + i]))
                return std::nullopt;
            v = v * 10 + (text[pos + i] - '0');
        }
        pos += n;
        return v;
    }
    // One or two digits.
    std::optional<int> day() {
        auto two = digits(2);
        if (two)
            return two;
        return digits(1);
    }
    // Month name, case-insensitive; 1..12.
    std::optional<int> month() {
        if (text.size() - pos < 3)
            return std::nullopt;
        for (std::size_t i = 0; i < kMonths.size(); ++i) {
            const std::string_view name = kMonths[i];
            if (lower(text[pos]) == lower(name[0]) && lower(text[pos + 1]) == lower(name[1]) &&
                lower(text[pos + 2]) == lower(name[2])) {
                pos += 3;
                return static_cast<int>(i) + 1;
            }
        }
        return std::nullopt;
    }
};

// date-day "-" date-month "-" date-year, validated; days since the epoch.
std::optional<std::int64_t> read_date(Reader& r, std::optional<int> day) {
    if (!day || !r.literal('-'))
        return std::nullopt;
    auto month = r.month();
    if (!month || !r.literal('-'))
        return std::nullopt;
    auto year = r.digits(4);
    if (!year)
        return std::nullopt;
    if (*day < 1 || *day > days_in_month(*year, *month))
        return std::nullopt;
    return days_from_civil(*year, *month, *day);
}

void append_padded(std::string& out, std::int64_t value, int width, char pad = '0') {
    std::string digits = std::to_string(value);
    if (static_cast<int>(digits.size()) < width)
        out.append(width - digits.size(), pad);
    out += digits;
}

}  // namespace

std::optional<std::int64_t> parse_date_time(std::string_view text) {
    Reader r{text};
    // date-day-fixed = (SP DIGIT) / 2DIGIT; a bare single digit is accepted too.
    std::optional<int> day = r.literal(' ') ? r.digits(1) : r.day();
    auto days = read_date(r, day);
    if (!days || !r.literal(' '))
        return std::nullopt;
    auto hour = r.digits(2);
    if (!hour || !r.literal(':'))
        return std::nullopt;
    auto minute = r.digits(2);
    if (!minute || !r.literal(':'))
        return std::nullopt;
    auto second = r.digits(2);
    if (!second || !r.literal(' '))
        return std::nullopt;
    int sign = 0;
    if (r.literal('+')) {
        sign = 1;
    } else if (r.literal('-')) {
        sign = -1;
    } else {
        return std::nullopt;
    }
    auto zone_hours = r.digits(2);
    auto zone_mins = zone_hours ? r.digits(2) : std::nullopt;
    if (!zone_mins || !r.done())
        return std::nullopt;
    if (*hour > 23 || *minute > 59 || *second > 60 || *zone_mins > 59)
        return std::nullopt;
    const std::int64_t local =
        *days * kSecondsPerDay + *hour * 3600 + *minute * 60 + std::int64_t{*second};
    const std::int64_t offset = sign * (*zone_hours * 3600 + *zone_mins * 60);
    return local - offset;
}

std::string format_date_time(std::int64_t epoch_seconds, int zone_minutes) {
    constexpr int kMaxZone = 99 * 60 + 59;
    zone_minutes = std::clamp(zone_minutes, -kMaxZone, kMaxZone);
    constexpr std::int64_t kMinLocal = kMinDay * kSecondsPerDay;
    constexpr std::int64_t kMaxLocal = (kMaxDay + 1) * kSecondsPerDay - 1;
    const std::int64_t zone_seconds = std::int64_t{zone_minutes} * 60;
    // Clamp before adding the zone so extreme inputs cannot overflow.
    std::int64_t local =
        std::clamp(epoch_seconds, kMinLocal - zone_seconds, kMaxLocal - zone_seconds) +
        zone_seconds;

    std::int64_t days = local / kSecondsPerDay;
    std::int64_t secs = local % kSecondsPerDay;
    if (secs < 0) {
        secs += kSecondsPerDay;
        --days;
    }
    const Civil c = civil_from_days(days);

    std::string out;
    out.reserve(26);
    append_padded(out, c.day, 2, ' ');
    out += '-';
    out += kMonths[c.month - 1];
    out += '-';
    append_padded(out, c.year, 4);
    out += ' ';
    append_padded(out, secs / 3600, 2);
    out += ':';
    append_padded(out, secs / 60 % 60, 2);
    out += ':';
    append_padded(out, secs % 60, 2);
    out += ' ';
    out += zone_minutes < 0 ? '-' : '+';
    const int zone_abs = zone_minutes < 0 ? -zone_minutes : zone_minutes;
    append_padded(out, zone_abs / 60, 2);
    append_padded(out, zone_abs % 60, 2);
    return out;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
    Reader r{text};
    auto days = read_date(r, r.day());
    if (!days || !r.done())
        return std::nullopt;
    return *days * kSecondsPerDay;
}

}  // namespace postimap::imap
