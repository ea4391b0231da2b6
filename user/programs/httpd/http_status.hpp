// The status codes httpd answers with, and their reason phrases (RFC 9110
// section 15). A code is a plain number on the wire; the names here keep
// the parser's and the server's choices readable.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::httpd {

namespace status {
inline constexpr u16 kOk = 200;
inline constexpr u16 kPartialContent = 206;
inline constexpr u16 kMovedPermanently = 301;
inline constexpr u16 kNotModified = 304;
inline constexpr u16 kBadRequest = 400;
inline constexpr u16 kForbidden = 403;
inline constexpr u16 kNotFound = 404;
inline constexpr u16 kMethodNotAllowed = 405;
inline constexpr u16 kRequestTimeout = 408;
inline constexpr u16 kLengthRequired = 411;
inline constexpr u16 kContentTooLarge = 413;
inline constexpr u16 kUriTooLong = 414;
inline constexpr u16 kRangeNotSatisfiable = 416;
inline constexpr u16 kHeaderFieldsTooLarge = 431;
inline constexpr u16 kInternalServerError = 500;
inline constexpr u16 kNotImplemented = 501;
inline constexpr u16 kServiceUnavailable = 503;
inline constexpr u16 kVersionNotSupported = 505;
}  // namespace status

// "OK", "Not Found", ...: RFC 9110's phrase for every code above (413 is
// "Content Too Large", its name since RFC 9110). Empty for any other code:
// the reason phrase is optional on the wire (RFC 9112 4), so a status line
// for an unlisted code is still valid.
StringView reason_phrase(u16 code);

}  // namespace mote::httpd
