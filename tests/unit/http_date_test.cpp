// HTTP dates (user/programs/httpd/http_date.*): IMF-fixdate written from
// Unix time, and all three forms of RFC 9110 5.6.7 read back. Expected
// values are RFC 9110's own example (Sun, 06 Nov 1994 08:49:37 GMT is
// 784111777) and calendar facts worked out by hand: 2000 was a leap year
// and 29 Feb 2000 a Tuesday, 1 Jan 1900 a Monday 70 years (17 leap days,
// 1900 not leap) = 25567 days before the epoch.
#include <gtest/gtest.h>

#include <string>

#include "httpd/http_date.hpp"

using namespace mote;
using namespace mote::httpd;

namespace {

std::string format(i64 t) {
    char out[kHttpDateLength];
    auto text = format_http_date(t, Span<char>(out));
    if (text.is_error()) return std::string("error:") + error_name(text.error());
    return std::string(text.value().data(), text.value().length());
}

constexpr i64 kNow = 1700000000;  // Tue, 14 Nov 2023 22:13:20 GMT

i64 parse(const char* text, i64 now = kNow) {
    auto t = parse_http_date(text, now);
    EXPECT_TRUE(t.ok()) << text;
    return t.ok() ? t.value() : -999999;
}

bool rejects(const char* text) { return parse_http_date(text, kNow).is_error(); }

TEST(HttpDate, FormatsImfFixdate) {
    EXPECT_EQ(format(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format(1000000000), "Sun, 09 Sep 2001 01:46:40 GMT");
    EXPECT_EQ(format(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
    EXPECT_EQ(format(2147483647), "Tue, 19 Jan 2038 03:14:07 GMT");
    EXPECT_EQ(format(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(HttpDate, FormatRefusesWhatItCannotWrite) {
    EXPECT_EQ(format(-1), "error:OutOfRange");
    EXPECT_EQ(format(253402300800), "error:OutOfRange");
    char small[kHttpDateLength - 1];
    auto text = format_http_date(0, Span<char>(small));
    ASSERT_TRUE(text.is_error());
    EXPECT_EQ(text.error(), Error::Overflow);
}

TEST(HttpDate, ParsesAllThreeFormsOfTheSameInstant) {
    EXPECT_EQ(parse("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parse("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parse("Sun Nov  6 08:49:37 1994"), 784111777);
    // asctime's two-digit day.
    EXPECT_EQ(parse("Thu Jan 01 00:00:00 1970"), 0);
    EXPECT_EQ(parse("Tue Feb 29 00:00:00 2000"), 951782400);
}

TEST(HttpDate, RoundTrips) {
    for (i64 t : {i64(0), i64(1), i64(59), i64(86399), i64(86400), i64(784111777), i64(951782400),
                  i64(1700000000), i64(2147483647), i64(4102444800), i64(253402300799)}) {
        std::string text = format(t);
        EXPECT_EQ(parse(text.c_str(), 253402300799), t) << text;
    }
}

TEST(HttpDate, DatesBeforeTheEpochKeepTheirOrder) {
    EXPECT_EQ(parse("Wed, 31 Dec 1969 23:59:59 GMT"), -1);
    EXPECT_EQ(parse("Mon, 01 Jan 1900 00:00:00 GMT"), -2208988800);
}

TEST(HttpDate, LeapSecondIsTheNextSecond) {
    // 2016 ended with a leap second; POSIX time has none.
    EXPECT_EQ(parse("Sat, 31 Dec 2016 23:59:60 GMT"), 1483228800);
}

TEST(HttpDate, Rfc850YearWithinFiftyYearsOfNow) {
    // now is 2023: "94" is 1994 (2094 is more than 50 years ahead),
    // "73" is 2073 (exactly 50 years ahead is not more than 50), "74" is 1974.
    EXPECT_EQ(parse("Monday, 01-Jan-73 00:00:00 GMT"), 3250454400);
    EXPECT_EQ(parse("Tuesday, 01-Jan-74 00:00:00 GMT"), 126230400);
    EXPECT_EQ(parse("Thursday, 01-Jan-70 00:00:00 GMT"), 3155760000);  // 2070
    // The same text read in 1990 is 1970 (2070 is 80 years ahead).
    EXPECT_EQ(parse("Thursday, 01-Jan-70 00:00:00 GMT", 631152000), 0);
}

TEST(HttpDate, RejectsWhatTheGrammarDoesNot) {
    EXPECT_TRUE(rejects(""));
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 08:49:37 UTC"));   // must be GMT
    EXPECT_TRUE(rejects("sun, 06 Nov 1994 08:49:37 GMT"));   // case-sensitive
    EXPECT_TRUE(rejects("Sun, 06 nov 1994 08:49:37 GMT"));
    EXPECT_TRUE(rejects("Sun, 6 Nov 1994 08:49:37 GMT"));    // 2DIGIT day
    EXPECT_TRUE(rejects("Sun,06 Nov 1994 08:49:37 GMT"));
    EXPECT_TRUE(rejects("Sun, 06 Nov 94 08:49:37 GMT"));     // 4DIGIT year
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 08:49:37 GMT "));  // trailing byte
    EXPECT_TRUE(rejects(" Sun, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 8:49:37 GMT"));
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 08:49 GMT"));
    EXPECT_TRUE(rejects("Xyz, 06 Nov 1994 08:49:37 GMT"));
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 08:49:37"));
    EXPECT_TRUE(rejects("Sunday, 06-Nov-1994 08:49:37 GMT"));
    EXPECT_TRUE(rejects("Sun, 06-Nov-94 08:49:37 GMT"));     // RFC 850 wants the long name
    EXPECT_TRUE(rejects("Sun Nov 6 08:49:37 1994"));         // asctime pads the day with a space
    EXPECT_TRUE(rejects("1994-11-06T08:49:37Z"));
}

TEST(HttpDate, RejectsImpossibleDatesAndTimes) {
    EXPECT_TRUE(rejects("Sun, 31 Apr 1994 08:49:37 GMT"));
    EXPECT_TRUE(rejects("Wed, 29 Feb 2023 00:00:00 GMT"));
    EXPECT_TRUE(rejects("Mon, 29 Feb 1900 00:00:00 GMT"));  // 1900 was not a leap year
    EXPECT_TRUE(rejects("Sun, 00 Nov 1994 08:49:37 GMT"));
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 24:00:00 GMT"));
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 08:60:00 GMT"));
    EXPECT_TRUE(rejects("Sun, 06 Nov 1994 08:49:61 GMT"));
}

}  // namespace
