// HTTP-date (RFC 9110 5.6.7): the IMF-fixdate servers send, e.g.
//   Sun, 06 Nov 1994 08:49:37 GMT
// and the two obsolete forms a recipient must still accept:
//   Sunday, 06-Nov-94 08:49:37 GMT    (RFC 850)
//   Sun Nov  6 08:49:37 1994          (C's asctime)
// All three name UTC. The grammar is case-sensitive and fixed-width, so the
// parser is strict: anything else is not a date (and a header carrying it
// is ignored by the caller, RFC 9110 13.1.3).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"

namespace mote::httpd {

// An IMF-fixdate is always this long.
inline constexpr usize kHttpDateLength = 29;

// Writes the IMF-fixdate of `unix_seconds` into `out` and returns it;
// Overflow if `out` is shorter than kHttpDateLength, OutOfRange for a time
// before 1970 or after 9999 (what base/civil_time can name).
Result<StringView> format_http_date(i64 unix_seconds, Span<char> out);

// Seconds since the epoch that `text` names, in any of the three forms
// (negative for a date before 1970: only its order against file times
// matters). `now` (Unix seconds) places RFC 850's two-digit year: RFC 9110
// 5.6.7 makes a year that would be more than 50 years in the future the
// most recent past year with those two digits. The weekday name must be a
// weekday name but is not checked against the date (the RFC does not ask
// recipients to). A second of 60 (a leap second, allowed by the grammar)
// counts as the next second, as POSIX time has none. Malformed otherwise,
// including impossible dates (31 Apr, 29 Feb 2023, 24:00:00).
Result<i64> parse_http_date(StringView text, i64 now);

}  // namespace mote::httpd
