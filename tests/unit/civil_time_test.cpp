// Calendar arithmetic (kernel/base/civil_time.hpp) against independent
// sources: dates whose Unix times were read off GNU `date -u -d DATE +%s`,
// and the host C library's timegm()/gmtime_r() for every day from 1970 to
// 2500.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "base/civil_time.hpp"

using namespace mote;

namespace {

CivilTime civil(u32 y, u8 mo, u8 d, u8 h = 0, u8 mi = 0, u8 s = 0) { return CivilTime {y, mo, d, h, mi, s}; }

std::string iso(const CivilTime& t) {
    char storage[40];
    FormatBuffer out(Span<char>(storage, sizeof(storage)));
    format_iso8601(out, t);
    return std::string(out.view().data(), out.view().length());
}

// `date -u -d "<date>" +%s` (GNU coreutils 9.1).
struct Known {
    CivilTime time;
    i64 seconds;
};
const Known kKnown[] = {
    {civil(1970, 1, 1), 0},
    {civil(1999, 12, 31, 23, 59, 59), 946684799},
    {civil(2000, 1, 1), 946684800},
    {civil(2000, 2, 29, 12), 951825600},
    {civil(2024, 2, 29, 23, 59, 59), 1709251199},
    {civil(2026, 12, 5, 10, 11, 12), 1796465472},
    {civil(2038, 1, 19, 3, 14, 7), 2147483647},
    {civil(2099, 12, 31, 23, 59, 59), 4102444799},
    {civil(2100, 3, 1), 4107542400},
    {civil(2106, 2, 7, 6, 28, 15), 4294967295},
    {civil(9999, 12, 31, 23, 59, 59), 253402300799},
};

}  // namespace

TEST(CivilTime, KnownDatesBothWays) {
    for (const Known& k : kKnown) {
        auto seconds = unix_from_civil(k.time);
        ASSERT_TRUE(seconds.ok()) << iso(k.time);
        EXPECT_EQ(seconds.value(), k.seconds) << iso(k.time);
        auto back = civil_from_unix(k.seconds);
        ASSERT_TRUE(back.ok()) << k.seconds;
        EXPECT_EQ(iso(back.value()), iso(k.time));
    }
}

TEST(CivilTime, EveryDayAgreesWithLibc) {
    // One second per day, at a time of day that moves through the day.
    for (i64 day = 0; day < 193000; ++day) {  // past 2498
        i64 seconds = day * 86400 + (day * 7919) % 86400;
        time_t t = time_t(seconds);
        tm expected {};
        ASSERT_NE(gmtime_r(&t, &expected), nullptr);
        auto got = civil_from_unix(seconds);
        ASSERT_TRUE(got.ok()) << seconds;
        const CivilTime& c = got.value();
        ASSERT_EQ(c.year, u32(expected.tm_year + 1900)) << seconds;
        ASSERT_EQ(c.month, expected.tm_mon + 1) << seconds;
        ASSERT_EQ(c.day, expected.tm_mday) << seconds;
        ASSERT_EQ(c.hour, expected.tm_hour) << seconds;
        ASSERT_EQ(c.minute, expected.tm_min) << seconds;
        ASSERT_EQ(c.second, expected.tm_sec) << seconds;
        ASSERT_EQ(unix_from_civil(c).value(), i64(timegm(&expected))) << seconds;
        ASSERT_EQ(days_from_civil(c.year, c.month, c.day).value(), day);
    }
}

TEST(CivilTime, LeapYearsAndMonthLengths) {
    EXPECT_TRUE(is_leap_year(2000));   // divisible by 400
    EXPECT_FALSE(is_leap_year(2100));  // by 100, not 400
    EXPECT_TRUE(is_leap_year(2024));
    EXPECT_FALSE(is_leap_year(2026));
    EXPECT_EQ(days_in_month(2024, 2), 29);
    EXPECT_EQ(days_in_month(2100, 2), 28);
    EXPECT_EQ(days_in_month(2026, 4), 30);
    EXPECT_EQ(days_in_month(2026, 12), 31);
    EXPECT_EQ(days_in_month(2026, 0), 0);
    EXPECT_EQ(days_in_month(2026, 13), 0);
}

TEST(CivilTime, RejectsFieldsOutOfRange) {
    EXPECT_EQ(unix_from_civil(civil(2100, 2, 29)).error(), Error::Malformed);
    EXPECT_TRUE(unix_from_civil(civil(2000, 2, 29)).ok());
    EXPECT_EQ(unix_from_civil(civil(2026, 4, 31)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(2026, 0, 1)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(2026, 13, 1)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(2026, 1, 0)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(2026, 1, 1, 24)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(2026, 1, 1, 0, 60)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(2026, 1, 1, 0, 0, 60)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(1969, 12, 31)).error(), Error::Malformed);
    EXPECT_EQ(unix_from_civil(civil(10000, 1, 1)).error(), Error::Malformed);
    EXPECT_EQ(civil_from_unix(-1).error(), Error::OutOfRange);
    EXPECT_EQ(civil_from_unix(kCivilLastSecond + 1).error(), Error::OutOfRange);
    EXPECT_TRUE(civil_from_unix(kCivilLastSecond).ok());
}

TEST(CivilTime, Formats) {
    char storage[40];
    FormatBuffer out(Span<char>(storage, sizeof(storage)));
    format_civil(out, civil(2026, 12, 5, 10, 11, 12));
    EXPECT_EQ(std::string(out.view().data(), out.view().length()), "2026-12-05 10:11:12 UTC");
    EXPECT_EQ(iso(civil(2026, 12, 5, 10, 11, 12)), "2026-12-05T10:11:12Z");
    EXPECT_EQ(iso(civil(1970, 1, 1)), "1970-01-01T00:00:00Z");
}
