// Civil time: a UTC calendar date and time of day (proleptic Gregorian,
// no leap seconds, as POSIX time counts) and the seconds since
// 1970-01-01T00:00:00Z it names, both ways.
//
// The real-time clock drivers decode their registers into a CivilTime and
// turn it into Unix seconds here; reports and the `date` program go the
// other way. The range is years 1970..9999: wall-clock time is never before
// the epoch, and four-digit years keep every printed form fixed-width.
//
// Pure arithmetic over integers, no tables beyond the month lengths: the
// kernel, the user runtime and the unit tests share this one copy.
#pragma once

#include "base/format.hpp"
#include "base/result.hpp"

namespace mote {

struct CivilTime {
    u32 year = 1970;  // 1970..9999
    u8 month = 1;     // 1..12
    u8 day = 1;       // 1..days_in_month
    u8 hour = 0;      // 0..23
    u8 minute = 0;    // 0..59
    u8 second = 0;    // 0..59 (POSIX time has no leap second)
};

inline constexpr u32 kCivilFirstYear = 1970;
inline constexpr u32 kCivilLastYear = 9999;
// 9999-12-31T23:59:59Z, the last second a CivilTime can name.
inline constexpr i64 kCivilLastSecond = 253402300799;

bool is_leap_year(u32 year);
// 28..31; 0 for a month outside 1..12.
u8 days_in_month(u32 year, u8 month);

// Days from 1970-01-01 to year-month-day. Malformed if a field is out of
// its range (month 13, February 30, year 1969).
Result<i64> days_from_civil(u32 year, u8 month, u8 day);
// Seconds since the epoch that `time` names; Malformed as above, also for
// an hour, minute or second out of range.
Result<i64> unix_from_civil(const CivilTime& time);
// The calendar date and time `seconds` after the epoch; OutOfRange before
// 1970 or after kCivilLastSecond.
Result<CivilTime> civil_from_unix(i64 seconds);

// "2026-12-05T10:11:12Z" (ISO 8601, UTC).
void format_iso8601(FormatBuffer& out, const CivilTime& time);
// "2026-12-05 10:11:12 UTC", what `date` prints.
void format_civil(FormatBuffer& out, const CivilTime& time);

}  // namespace mote
