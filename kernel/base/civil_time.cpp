#include "base/civil_time.hpp"

namespace mote {

namespace {

constexpr i64 kSecondsPerDay = 86400;

// Leap years among 1..n (Gregorian rule: every 4th, less every 100th, plus
// every 400th).
i64 leap_years_through(i64 n) { return n / 4 - n / 100 + n / 400; }

// Days from 1970-01-01 to January 1st of `year` (>= 1970).
i64 days_before_year(u32 year) {
    i64 y = i64(year);
    return 365 * (y - 1970) + leap_years_through(y - 1) - leap_years_through(1969);
}

}  // namespace

bool is_leap_year(u32 year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

u8 days_in_month(u32 year, u8 month) {
    constexpr u8 kLengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    if (month == 2 && is_leap_year(year)) return 29;
    return kLengths[month - 1];
}

Result<i64> days_from_civil(u32 year, u8 month, u8 day) {
    if (year < kCivilFirstYear || year > kCivilLastYear) return Error::Malformed;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return Error::Malformed;
    i64 days = days_before_year(year);
    for (u8 m = 1; m < month; ++m) days += days_in_month(year, m);
    return days + (day - 1);
}

Result<i64> unix_from_civil(const CivilTime& time) {
    if (time.hour > 23 || time.minute > 59 || time.second > 59) return Error::Malformed;
    i64 days = TRY(days_from_civil(time.year, time.month, time.day));
    return days * kSecondsPerDay + i64(time.hour) * 3600 + i64(time.minute) * 60 + time.second;
}

Result<CivilTime> civil_from_unix(i64 seconds) {
    if (seconds < 0 || seconds > kCivilLastSecond) return Error::OutOfRange;
    i64 days = seconds / kSecondsPerDay;
    i64 rest = seconds % kSecondsPerDay;
    CivilTime t;
    // No year is longer than 366 days, so this guess is never past the
    // answer; the walk up is a few steps even in 9999.
    u32 year = u32(kCivilFirstYear + days / 366);
    while (year < kCivilLastYear && days_before_year(year + 1) <= days) ++year;
    days -= days_before_year(year);
    u8 month = 1;
    while (days >= days_in_month(year, month)) days -= days_in_month(year, month++);
    t.year = year;
    t.month = month;
    t.day = u8(days + 1);
    t.hour = u8(rest / 3600);
    t.minute = u8(rest / 60 % 60);
    t.second = u8(rest % 60);
    return t;
}

void format_iso8601(FormatBuffer& out, const CivilTime& t) {
    format_append(out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hour, t.minute, t.second);
}

void format_civil(FormatBuffer& out, const CivilTime& t) {
    format_append(out, "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year, t.month, t.day, t.hour, t.minute, t.second);
}

}  // namespace mote
