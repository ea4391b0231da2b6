#include "http_date.hpp"

#include "base/civil_time.hpp"
#include "http_syntax.hpp"

namespace mote::httpd {

namespace {

constexpr const char* kDayNames[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kLongDayNames[7] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
constexpr const char* kMonthNames[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr i64 kSecondsPerDay = 86400;
// The Gregorian calendar repeats every 400 years, which are exactly this
// many days; it moves a year before 1970 into civil_time's range.
constexpr i64 kDaysPer400Years = 146097;

void put2(char* at, u32 value) {
    at[0] = char('0' + value / 10 % 10);
    at[1] = char('0' + value % 10);
}

// A cursor over the date text that fails once and stays failed, so each
// form reads as its grammar.
class Reader {
public:
    explicit Reader(StringView text) : m_text(text) {}
    bool ok() const { return m_ok; }
    bool at_end() const { return m_at == m_text.length(); }

    void literal(StringView expected) {
        if (!m_ok || m_text.length() - m_at < expected.length() ||
            !(m_text.substr(m_at, expected.length()) == expected)) {
            m_ok = false;
            return;
        }
        m_at += expected.length();
    }
    // Exactly `count` digits.
    u32 digits(usize count) {
        u32 value = 0;
        for (usize i = 0; i < count; ++i) {
            if (!m_ok || m_at == m_text.length() || !is_digit(m_text[m_at])) {
                m_ok = false;
                return 0;
            }
            value = value * 10 + u32(m_text[m_at++] - '0');
        }
        return value;
    }
    // One of `names` (exact, case-sensitive); its index.
    u8 name(const char* const* names, usize count) {
        if (!m_ok) return 0;
        for (usize i = 0; i < count; ++i) {
            StringView candidate(names[i]);
            if (m_text.length() - m_at >= candidate.length() &&
                m_text.substr(m_at, candidate.length()) == candidate) {
                m_at += candidate.length();
                return u8(i);
            }
        }
        m_ok = false;
        return 0;
    }
    // asctime's day: two digits, or a space and one digit.
    u32 padded_day() {
        if (m_ok && m_at < m_text.length() && m_text[m_at] == ' ') {
            ++m_at;
            return digits(1);
        }
        return digits(2);
    }
    // time-of-day = hour ":" minute ":" second
    void time_of_day(u32& hour, u32& minute, u32& second) {
        hour = digits(2);
        literal(":");
        minute = digits(2);
        literal(":");
        second = digits(2);
    }

private:
    StringView m_text;
    usize m_at = 0;
    bool m_ok = true;
};

Result<i64> seconds_from_fields(u32 year, u32 month, u32 day, u32 hour, u32 minute, u32 second) {
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return Error::Malformed;
    // Move years before 1970 forward by whole 400-year cycles (same
    // calendar), then take the cycles' days back off.
    i64 shift_days = 0;
    while (year < kCivilFirstYear) {
        year += 400;
        shift_days -= kDaysPer400Years;
    }
    i64 days = TRY(days_from_civil(year, u8(month), u8(day)));
    days += shift_days;
    return days * kSecondsPerDay + i64(hour) * 3600 + i64(minute) * 60 + i64(second);
}

}  // namespace

Result<StringView> format_http_date(i64 unix_seconds, Span<char> out) {
    if (out.size() < kHttpDateLength) return Error::Overflow;
    CivilTime t = TRY(civil_from_unix(unix_seconds));
    // 1970-01-01 was a Thursday (index 4 from Sunday).
    i64 weekday = (unix_seconds / kSecondsPerDay + 4) % 7;
    char* p = out.data();
    StringView day_name(kDayNames[weekday]);
    StringView month_name(kMonthNames[t.month - 1]);
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    //  0    5  8   12   17 20 23 26
    for (usize i = 0; i < 3; ++i) p[i] = day_name[i];
    p[3] = ',';
    p[4] = ' ';
    put2(p + 5, t.day);
    p[7] = ' ';
    for (usize i = 0; i < 3; ++i) p[8 + i] = month_name[i];
    p[11] = ' ';
    put2(p + 12, t.year / 100);
    put2(p + 14, t.year % 100);
    p[16] = ' ';
    put2(p + 17, t.hour);
    p[19] = ':';
    put2(p + 20, t.minute);
    p[22] = ':';
    put2(p + 23, t.second);
    p[25] = ' ';
    p[26] = 'G';
    p[27] = 'M';
    p[28] = 'T';
    return StringView(p, kHttpDateLength);
}

Result<i64> parse_http_date(StringView text, i64 now) {
    u32 year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;

    // IMF-fixdate: day-name "," SP day SP month SP year SP time SP "GMT"
    {
        Reader r(text);
        r.name(kDayNames, 7);
        r.literal(", ");
        day = r.digits(2);
        r.literal(" ");
        month = r.name(kMonthNames, 12) + 1u;
        r.literal(" ");
        year = r.digits(4);
        r.literal(" ");
        r.time_of_day(hour, minute, second);
        r.literal(" GMT");
        if (r.ok() && r.at_end()) return seconds_from_fields(year, month, day, hour, minute, second);
    }
    // rfc850-date: day-name-l "," SP day "-" month "-" 2DIGIT SP time SP "GMT"
    {
        Reader r(text);
        r.name(kLongDayNames, 7);
        r.literal(", ");
        day = r.digits(2);
        r.literal("-");
        month = r.name(kMonthNames, 12) + 1u;
        r.literal("-");
        u32 two_digits = r.digits(2);
        r.literal(" ");
        r.time_of_day(hour, minute, second);
        r.literal(" GMT");
        if (r.ok() && r.at_end()) {
            // The year in `now`'s century with these two digits, a century
            // earlier if that is more than 50 years ahead of now. (Judged
            // by year: the RFC's "appears to be" leaves the day open.)
            u32 now_year = 1970;
            if (auto civil = civil_from_unix(now); civil.ok()) now_year = civil.value().year;
            year = now_year / 100 * 100 + two_digits;
            if (year > now_year + 50) year -= 100;
            return seconds_from_fields(year, month, day, hour, minute, second);
        }
    }
    // asctime-date: day-name SP month SP ( 2DIGIT / SP DIGIT ) SP time SP year
    {
        Reader r(text);
        r.name(kDayNames, 7);
        r.literal(" ");
        month = r.name(kMonthNames, 12) + 1u;
        r.literal(" ");
        day = r.padded_day();
        r.literal(" ");
        r.time_of_day(hour, minute, second);
        r.literal(" ");
        year = r.digits(4);
        if (r.ok() && r.at_end()) return seconds_from_fields(year, month, day, hour, minute, second);
    }
    return Error::Malformed;
}

}  // namespace mote::httpd
