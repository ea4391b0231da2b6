// The HTTP/1.1 request parser (RFC 9112 2-3, 5-6; RFC 9110 for the fields),
// incremental and allocation-free, for httpd's connections.
//
// The caller keeps each connection's received bytes in its own buffer and
// calls feed() with every unconsumed byte, starting at the first byte of
// the current request, each time more arrive. The parser remembers how far
// it has read, so each byte is examined once however the request is cut
// into pieces, and it reads strictly in byte order, deciding each error at
// the byte that makes it certain: a request fed one byte at a time ends in
// exactly the answer it gets when fed whole.
//
//   NeedMore   nothing decided yet; feed again with more bytes.
//   Complete   `consumed` bytes from the start of the input form one
//              request (head and any body, which is skipped); the rest
//              may be the next, pipelined request: feed input[consumed..].
//   Error      answer `status` and close the connection: after a framing
//              error the next request's first byte cannot be found.
//
// The Request's views point into the fed input (which must stay put until
// the request is handled) and into the parser (the decoded path), valid
// until the next feed() or reset(). 408 is not the parser's: the caller
// times out a connection that stays at NeedMore too long.
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"
#include "http_target.hpp"

namespace mote::httpd {

// Bounds on what a request may hold. A request reaching one is refused as
// soon as it does, so no client can make the server buffer more than
// kMaxRequestBytes for a connection.
inline constexpr usize kMaxMethodBytes = 16;     // longer: no method httpd has (405)
inline constexpr usize kMaxTargetBytes = 1024;   // 414
inline constexpr usize kMaxHeaderBytes = 4096;   // the field lines and the empty line ending them (431)
inline constexpr usize kMaxHeaderFields = 64;    // 431
inline constexpr usize kMaxBodyBytes = 1024;     // Content-Length on a GET or HEAD (413)
inline constexpr usize kMaxLeadingEmptyLines = 8;  // CRLFs before a request line (RFC 9112 2.2), else 400
// The largest request a caller's buffer may need to hold whole: empty
// lines, the request line (method SP target SP "HTTP/x.y" CRLF), the
// header section and the body.
inline constexpr usize kMaxRequestBytes =
    2 * kMaxLeadingEmptyLines + kMaxMethodBytes + 1 + kMaxTargetBytes + 1 + 8 + 2 + kMaxHeaderBytes + kMaxBodyBytes;

enum class Method : u8 { Get, Head };
enum class Version : u8 { Http10, Http11 };

// Why a request was refused, more finely than its status: for logs and
// tests.
enum class RequestFault : u8 {
    None,
    TooManyEmptyLines,        // 400: more than kMaxLeadingEmptyLines before the request line
    BadMethod,                // 400: empty or not a token
    MethodNotAllowed,         // 405: a method other than GET and HEAD
    BadRequestLine,           // 400: not "method SP target SP version" with single spaces
    TargetTooLong,            // 414
    BadTarget,                // 400: see target_fault
    BadVersion,               // 400: not "HTTP/" DIGIT "." DIGIT
    VersionNotSupported,      // 505: a major version other than 1
    BareCr,                   // 400: CR not followed by LF (RFC 9112 2.2)
    ObsoleteFold,             // 400: a field line starting with SP or HTAB (RFC 9112 5.2)
    BadFieldName,             // 400: empty, not a token, or whitespace before ':' (RFC 9112 5.1)
    BadFieldValue,            // 400: a control byte in a value
    HeaderTooLarge,           // 431: more than kMaxHeaderBytes
    TooManyFields,            // 431: more than kMaxHeaderFields
    MissingHost,              // 400: HTTP/1.1 without Host (RFC 9112 3.2)
    DuplicateHost,            // 400: Host twice
    BadHost,                  // 400: a Host value that is no uri-host[:port]
    BadContentLength,         // 400: not digits, or a list of different values
    BodyTooLarge,             // 413: Content-Length over kMaxBodyBytes
    TransferEncodingHttp10,   // 400: Transfer-Encoding in an HTTP/1.0 request (RFC 9112 6.1)
    ChunkedNotFinal,          // 400: codings that do not end in chunked (RFC 9112 6.3)
    ChunkedTwice,             // 400: chunked applied more than once (RFC 9112 7)
    UnknownTransferCoding,    // 501: a coding httpd does not know (RFC 9112 6.1)
    ChunkedBody,              // 411: a chunked body; httpd takes bodies only with Content-Length
};
const char* request_fault_name(RequestFault fault);

// A field httpd reads, as sent: the first line's value with OWS trimmed,
// and how many lines named it. A field that may appear once and came more
// often is invalid, and the helpers below ignore it.
struct FieldValue {
    StringView value;
    u8 count = 0;  // saturates at 255
    bool present() const { return count > 0; }
    bool single() const { return count == 1; }
};

struct Request {
    Method method = Method::Get;
    Version version = Version::Http11;
    StringView target;        // raw, as sent
    // Decoded and normalised (http_target.hpp); empty when escapes_root.
    StringView path;
    StringView query;
    bool has_query = false;
    bool escapes_root = false;  // the path climbs above "/": answer 403
    // The host the request names: absolute-form's authority if the target
    // has one (RFC 9112 3.2.2: it overrides Host), else Host's value.
    StringView host;
    // Whether the connection stays open after the answer: HTTP/1.1 unless
    // "Connection: close"; HTTP/1.0 only with "Connection: keep-alive"
    // (RFC 9112 9.3). The answer should say "Connection: close" when false,
    // and "Connection: keep-alive" to an HTTP/1.0 client when true.
    bool keep_alive = true;
    u64 content_length = 0;  // the body's length, already skipped
    FieldValue range;
    FieldValue if_range;
    FieldValue if_modified_since;
    FieldValue if_none_match;
};

enum class ParseStatus : u8 { NeedMore, Complete, Error };

struct ParseResult {
    ParseStatus status = ParseStatus::NeedMore;
    usize consumed = 0;  // Complete: bytes of this request, body included
    u16 error_status = 0;  // Error: 400, 405, 411, 413, 414, 431, 501 or 505
    RequestFault fault = RequestFault::None;
    TargetFault target_fault = TargetFault::None;  // with RequestFault::BadTarget
    Request request;  // Complete only
};

class RequestParser {
public:
    RequestParser() { reset(); }

    // Reads `input` on from where the last call stopped. `input` begins at
    // the current request's first byte and holds at least what the last
    // call saw. After Complete the parser starts over, so the next call
    // passes the bytes after `consumed`; after Error it repeats the error
    // until reset().
    ParseResult feed(StringView input);
    void reset();

private:
    enum class State : u8 {
        LineStart0,   // before the request line: empty lines or the method
        LeadingCr,    // a CR before the request line
        Method,
        Target,
        Version,
        VersionCr,
        FieldStart,   // at the start of a field line or the empty line
        FieldName,
        FieldValue,
        FieldCr,
        EndCr,        // a CR that must end the header section
        Body,
        Failed,
    };

    struct Span32 {
        u32 start = 0;
        u32 length = 0;
    };

    // Records the error and returns true: the request's fate is decided.
    bool fail(RequestFault fault, u16 status);
    // Each returns true when it decided the request's fate (m_result set).
    bool step(StringView input, char c);
    bool end_request_line(StringView input);
    bool end_field(StringView input);
    bool end_head(StringView input);
    ParseResult complete(StringView input);

    State m_state;
    usize m_at;              // the next byte to read
    usize m_empty_lines;
    usize m_header_bytes;
    usize m_fields;
    Span32 m_method;
    Span32 m_target;
    Span32 m_version;
    Span32 m_name;
    usize m_value_start;
    usize m_value_end;
    usize m_body_end;
    Method m_method_kind;
    Version m_version_kind;
    Target m_decoded;
    TargetFault m_target_fault;
    // What the fields said so far.
    Span32 m_host;
    u8 m_host_count;
    bool m_connection_close;
    bool m_connection_keep_alive;
    bool m_has_content_length;
    u64 m_content_length;
    bool m_has_transfer_encoding;
    bool m_chunked_last;       // the last coding seen is chunked
    u32 m_chunked_count;
    bool m_other_coding;
    Span32 m_range, m_if_range, m_if_modified_since, m_if_none_match;
    u8 m_range_count, m_if_range_count, m_if_modified_since_count, m_if_none_match_count;
    ParseResult m_result;
    // The decoded path; never longer than the raw target.
    char m_path[kMaxTargetBytes];
};

// RFC 9110 13.1.3 and 13.2.2, for a GET or HEAD of a file last modified at
// `last_modified` (Unix seconds) when the clock says `now`: whether to
// answer 304 instead. If-None-Match, when present, decides alone (httpd
// sends no entity tags, so only "*" matches, and a file that exists
// matches it); otherwise If-Modified-Since, if it holds one valid date no
// later than now, and the file is no newer than it. A date in the future
// is invalid, so it cannot hide an update.
bool is_not_modified(const Request& request, i64 last_modified, i64 now);

// RFC 9110 13.1.5: whether a Range in `request` may be honoured for a file
// last modified at `last_modified`, given its If-Range. Without If-Range
// it may. With one, only a date that exactly matches the file's time and
// is a strong validator (at least a second before `now`: a file changed
// within the current second may change again with the same time) lets it
// through; httpd sends no entity tags, so none can match. Otherwise the
// client gets the whole file, which is what If-Range asks for when its
// copy is stale: a part of a newer file would corrupt the one it has.
bool range_applies(const Request& request, i64 last_modified, i64 now);

}  // namespace mote::httpd
