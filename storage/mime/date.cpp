#include "storage/mime/date.hpp"

#include <array>

namespace postimap::mime {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    }
    return true;
}

// More digits than this in one number is not a date (and could overflow).
constexpr int kMaxDigits = 9;

struct Number {
    int digits = 0;
    std::int64_t value = 0;
};

class Cursor {
  public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }

    bool consume(char c) {
        if (at_end() || text_[pos_] != c)
            return false;
        ++pos_;
        return true;
    }

    // Skips CFWS: white space, line breaks and (nested) comments with quoted
    // pairs. False on an unterminated comment.
    bool skip_cfws() {
        while (!at_end()) {
            char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos_;
            } else if (c == '(') {
                if (!skip_comment())
                    return false;
            } else {
                break;
            }
        }
        return true;
    }

    std::string_view take_alpha() {
        std::size_t begin = pos_;
        while (!at_end() && is_alpha(text_[pos_]))
            ++pos_;
        return text_.substr(begin, pos_ - begin);
    }

    // A run of digits; digits > kMaxDigits means too long to be meaningful.
    Number take_number() {
        Number n;
        while (!at_end() && is_digit(text_[pos_])) {
            if (n.digits < kMaxDigits)
                n.value = n.value * 10 + (text_[pos_] - '0');
            ++n.digits;
            ++pos_;
        }
        return n;
    }

  private:
    bool skip_comment() {
        int depth = 0;
        while (!at_end()) {
            char c = text_[pos_++];
            if (c == '\\') {
                if (at_end())
                    return false;
                ++pos_;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')') {
                if (--depth == 0)
                    return true;
            }
        }
        return false;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

bool is_day_name(std::string_view name) {
    for (auto day : kDays) {
        if (iequals(name, day))
            return true;
    }
    return false;
}

// 1..12, or 0 if not a month name.
int month_number(std::string_view name) {
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (iequals(name, kMonths[i]))
            return static_cast<int>(i) + 1;
    }
    return 0;
}

bool is_leap(std::int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(std::int64_t year, int month) {
    static constexpr std::array<int, 12> kLengths = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap(year))
        return 29;
    return kLengths[static_cast<std::size_t>(month - 1)];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t year, int month, int day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const std::int64_t yoe = year - era * 400;  // [0, 399]
    const std::int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
    return era * 146097 + doe - 719468;
}

// The offset east of UTC, in seconds, of an alphabetic zone; nullopt if the
// name cannot be a zone.
std::optional<std::int64_t> named_zone_offset(std::string_view name) {
    struct Zone {
        std::string_view name;
        int hours;
    };
    static constexpr std::array<Zone, 10> kZones = {{{"ut", 0},
                                                     {"gmt", 0},
                                                     {"est", -5},
                                                     {"edt", -4},
                                                     {"cst", -6},
                                                     {"cdt", -5},
                                                     {"mst", -7},
                                                     {"mdt", -6},
                                                     {"pst", -8},
                                                     {"pdt", -7}}};
    for (const auto& zone : kZones) {
        if (iequals(name, zone.name))
            return std::int64_t{zone.hours} * 3600;
    }
    // Military letters (all but J) and other alphabetic zones whose meaning
    // is unknown are "-0000" (RFC 5322 4.3).
    if (name.size() == 1) {
        if (ascii_lower(name[0]) == 'j')
            return std::nullopt;
        return 0;
    }
    if (name.empty())
        return std::nullopt;
    return 0;
}

bool read_two_digits(Cursor& c, std::int64_t& out) {
    Number n = c.take_number();
    if (n.digits != 2)
        return false;
    out = n.value;
    return true;
}

}  // namespace

std::optional<std::int64_t> parse_rfc5322_date(std::string_view text) {
    auto parsed = parse_rfc5322_date_parts(text);
    if (!parsed)
        return std::nullopt;
    return parsed->instant;
}

std::optional<DateParts> parse_rfc5322_date_parts(std::string_view text) {
    Cursor c(text);
    if (!c.skip_cfws())
        return std::nullopt;

    // [ day-of-week "," ]
    if (is_alpha(c.peek())) {
        if (!is_day_name(c.take_alpha()))
            return std::nullopt;
        if (!c.skip_cfws() || !c.consume(',') || !c.skip_cfws())
            return std::nullopt;
    }

    // day month year
    Number day = c.take_number();
    if (day.digits < 1 || day.digits > 2 || !c.skip_cfws())
        return std::nullopt;
    int month = month_number(c.take_alpha());
    if (month == 0 || !c.skip_cfws())
        return std::nullopt;
    Number year_number = c.take_number();
    if (year_number.digits < 2 || year_number.digits > kMaxDigits)
        return std::nullopt;
    std::int64_t year = year_number.value;
    if (year_number.digits == 2) {
        year += year < 50 ? 2000 : 1900;
    } else if (year_number.digits == 3) {
        year += 1900;
    }
    if (year < 1900)
        return std::nullopt;
    if (day.value < 1 || day.value > days_in_month(year, month))
        return std::nullopt;

    // hour ":" minute [ ":" second ]
    std::int64_t hour = 0;
    std::int64_t minute = 0;
    std::int64_t second = 0;
    if (!c.skip_cfws() || !read_two_digits(c, hour) || !c.skip_cfws() || !c.consume(':') ||
        !c.skip_cfws() || !read_two_digits(c, minute) || !c.skip_cfws()) {
        return std::nullopt;
    }
    if (c.consume(':')) {
        if (!c.skip_cfws() || !read_two_digits(c, second) || !c.skip_cfws())
            return std::nullopt;
    }
    if (hour > 23 || minute > 59 || second > 60)
        return std::nullopt;

    // zone
    std::int64_t offset = 0;
    char sign = c.peek();
    if (sign == '+' || sign == '-') {
        c.consume(sign);
        Number zone = c.take_number();
        if (zone.digits != 4 || zone.value % 100 > 59)
            return std::nullopt;
        offset = (zone.value / 100) * 3600 + (zone.value % 100) * 60;
        if (sign == '-')
            offset = -offset;
    } else {
        auto named = named_zone_offset(c.take_alpha());
        if (!named)
            return std::nullopt;
        offset = *named;
    }
    if (!c.skip_cfws() || !c.at_end())
        return std::nullopt;

    std::int64_t days = days_from_civil(year, month, static_cast<int>(day.value));
    return DateParts{days * 86400 + hour * 3600 + minute * 60 + second - offset, days * 86400};
}

}  // namespace postimap::mime
