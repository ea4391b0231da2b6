// The head of an HTTP/1.1 response (RFC 9112 4, RFC 9110 for the fields),
// written into a caller's buffer:
//
//   HTTP/1.1 206 Partial Content\r\n
//   Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n
//   Server: mote\r\n
//   ...the fields that are set, in the order of ResponseHead...\r\n
//   \r\n
//
// The status line always says HTTP/1.1, also to an HTTP/1.0 client: a
// server sends its own highest version (RFC 9110 2.5).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "http_range.hpp"

namespace mote::httpd {

enum class ConnectionField : u8 {
    None,       // HTTP/1.1 and staying open: nothing to say
    KeepAlive,  // "Connection: keep-alive": to an HTTP/1.0 client that asked for it
    Close,      // "Connection: close": this is the last response on the connection
};

struct ContentRange {
    enum class Kind : u8 {
        None,
        Bytes,        // "bytes first-last/complete_length" (206)
        Unsatisfied,  // "bytes */complete_length" (416, RFC 9110 14.4)
    };
    Kind kind = Kind::None;
    u64 first = 0;
    u64 last = 0;
    u64 complete_length = 0;
};

struct ResponseHead {
    u16 status = 200;
    // Unix seconds; the field is left out when negative. An origin server
    // with a clock MUST send Date (RFC 9110 6.6.1), so httpd always sets it.
    i64 date = -1;
    bool has_content_length = false;
    u64 content_length = 0;
    StringView content_type;   // left out when empty
    i64 last_modified = -1;    // Unix seconds; left out when negative
    ContentRange content_range;
    bool accept_ranges = false;  // "Accept-Ranges: bytes"
    ConnectionField connection = ConnectionField::None;
    bool allow = false;          // "Allow: GET, HEAD", which a 405 MUST carry (RFC 9110 15.5.6)
    StringView location;         // left out when empty (a redirect's target)
};

// Writes `head` into `out`; the bytes written. Overflow if it does not fit
// (nothing useful is left in `out` then); InvalidArgument for a field that
// could break the head: a content type or location holding a control
// byte, or a date that cannot be written.
Result<usize> write_response_head(const ResponseHead& head, Span<char> out);

// The ContentRange that goes with a resolved range (http_range.hpp).
ContentRange content_range_for(const RangeAnswer& answer, u64 size);

}  // namespace mote::httpd
