// The HTTP/1.1 response parser (RFC 9112 2-7, RFC 9110 for the fields),
// an incremental state machine for wget: it takes the bytes of one
// connection as they arrive, in pieces of any size, and says what they
// were. Allocation-free and bounded: the head is copied into the parser's
// own buffer (so the caller may reuse its receive buffer at once), and
// every line it must hold has a limit with a named fault.
//
// Each feed() reads a prefix of `input` and reports one step:
//
//   NeedMore  all of `input` was taken in; nothing to report yet.
//   Interim   a 1xx head ended (100 Continue, 103 Early Hints): it is
//             skipped, and readable through the accessors until the next
//             feed(); the final response follows.
//   Head      the final response's head ended: status and fields are
//             readable from now on, and the framing is decided.
//   Body      `body` (a view into `input`) is the next piece of the body,
//             its transfer coding taken off.
//   End       the message is complete; bytes after `consumed` are not
//             part of it (wget asked for Connection: close, so it drops
//             them).
//   Error     `fault()` says what was wrong, decided at the byte that made
//             it certain.
//
// `consumed` is how many bytes of `input` the step used: call feed() again
// with the rest (an empty rest is fine; it may still give End), until
// NeedMore. When the peer closes, finish() tells whether the message
// was complete: only a body framed by the close itself ends that way.
//
// Each byte is examined once, strictly in order, so the same bytes give
// the same head, the same body bytes and the same ending however they are
// cut into pieces (tests/unit/wget_response_parser_test.cpp cuts at every
// byte; tests/fuzz/wget_response_fuzz.cpp at random).
#pragma once

#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::wget {

// Limits on what a response may make the client hold or read per line.
inline constexpr usize kMaxStatusLineBytes = 1024;  // with its CRLF
inline constexpr usize kMaxHeadBytes = 16 * 1024;   // status line, fields and the empty line, as received
inline constexpr usize kMaxFields = 100;
inline constexpr usize kMaxChunkLineBytes = 1024;   // chunk size, extensions and CRLF
inline constexpr usize kMaxTrailerBytes = 8 * 1024; // the trailer section after the last chunk
inline constexpr usize kMaxInterim = 16;            // 1xx responses before the final one

enum class ResponseFault : u8 {
    None,
    NoResponse,                // closed before the first byte of a response
    StatusLineTooLong,         // over kMaxStatusLineBytes
    BadStatusLine,             // not "HTTP/x.y SP 3DIGIT [SP reason]"
    VersionNotSupported,       // a major version other than 1
    BadStatusCode,             // not 100..599
    BareCr,                    // CR not followed by LF (RFC 9112 2.2)
    WhitespaceBeforeField,     // SP/HTAB between the status line and the first field (RFC 9112 2.2)
    BadFieldName,              // empty, not a token, or whitespace before ':' (RFC 9112 5.1)
    BadFieldValue,             // a control byte in a value
    HeaderTooLarge,            // over kMaxHeadBytes
    TooManyFields,             // over kMaxFields
    TooManyInterim,            // over kMaxInterim 1xx responses
    UnexpectedSwitch,          // 101 Switching Protocols: wget asked for no upgrade
    TruncatedHead,             // closed in the middle of a head
    BadContentLength,          // not digits, or a list of different values (RFC 9110 8.6)
    ContentLengthTooLarge,     // more than 2^64-1
    ConflictingFraming,        // Transfer-Encoding and Content-Length both (RFC 9112 6.3: an error)
    TransferEncodingHttp10,    // Transfer-Encoding in an HTTP/1.0 response (RFC 9112 6.1: faulty framing)
    UnsupportedTransferCoding, // a coding other than chunked (gzip, ...): wget cannot undo it
    ChunkedTwice,              // chunked applied more than once (RFC 9112 7)
    BadChunkSize,              // a chunk line that does not start with hex digits, or junk after them
    ChunkSizeOverflow,         // a chunk size over 2^64-1
    ChunkLineTooLong,          // over kMaxChunkLineBytes
    BadChunkExtension,         // a control byte in a chunk extension
    MissingChunkEnd,           // chunk data not followed by CRLF
    BadTrailer,                // a trailer field line that is no field line
    TrailerTooLarge,           // over kMaxTrailerBytes
    TruncatedBody,             // closed before Content-Length bytes came
    TruncatedChunked,          // closed before the last chunk and the trailer section ended
};
const char* response_fault_name(ResponseFault fault);
// A sentence for people ("status line longer than 1024 bytes").
const char* response_fault_text(ResponseFault fault);

// How the body is delimited (RFC 9112 6.3).
enum class Framing : u8 {
    None,        // 1xx, 204, 304: no body
    Length,      // Content-Length
    Chunked,     // Transfer-Encoding: chunked
    UntilClose,  // neither: the body ends when the server closes
};

enum class Event : u8 { NeedMore, Interim, Head, Body, End, Error };

struct Step {
    Event event = Event::NeedMore;
    usize consumed = 0;
    StringView body;  // Body only
};

struct HeaderField {
    StringView name;   // as sent
    StringView value;  // OWS trimmed; an obsolete fold became one SP
};

class ResponseParser {
public:
    ResponseParser() { reset(); }

    Step feed(StringView input);
    // The peer ended the stream: End when the message was complete (or
    // delimited by the close), Error otherwise.
    Step finish();
    void reset();

    ResponseFault fault() const { return m_fault; }

    // The last head: after Interim (until the next feed) and after Head.
    u16 status() const { return m_status; }
    u8 minor_version() const { return m_minor; }
    StringView status_line() const { return StringView(m_head, m_status_line_length); }
    StringView reason() const;
    usize field_count() const { return m_field_count; }
    HeaderField field(usize index) const;
    // How many fields are named `name` (case-insensitively), and the
    // first one's value in `value`.
    usize find(StringView name, StringView& value) const;

    // After Head.
    Framing framing() const { return m_framing; }
    u64 content_length() const { return m_content_length; }  // Framing::Length
    u64 body_bytes() const { return m_body_bytes; }           // delivered so far
    usize interim_count() const { return m_interim; }

private:
    enum class State : u8 {
        StatusLine,
        StatusCr,
        LineStart,     // the first byte of a field line, a fold, or the empty line
        FieldName,
        FieldOws,      // OWS after ':' or in a fold
        FieldValue,
        FieldCr,
        HeadEndCr,
        LengthBody,
        UntilClose,
        ChunkSize,     // the first byte of a chunk line
        ChunkDigits,
        ChunkSpace,    // BWS after the size
        ChunkExtension,
        ChunkLineCr,
        ChunkData,
        ChunkDataEnd,  // CRLF after the data
        ChunkDataCr,
        TrailerStart,
        TrailerName,
        TrailerValue,
        TrailerCr,
        TrailerEndCr,
        Done,
        Failed,
    };

    struct FieldSpan {
        u16 name_start = 0;
        u16 name_length = 0;
        u16 value_start = 0;
        u16 value_length = 0;
    };

    // Records the fault; returns false so a step can `return fail(...)`.
    bool fail(ResponseFault fault);
    // One byte of a head, a chunk line or the trailer section. False when
    // it failed; `ended` set when it ended a head (Interim or Head) or the
    // message (End).
    bool step(char c, Event& ended);
    bool head_byte(char c, Event& ended);
    bool chunk_byte(char c, Event& ended);
    bool trailer_byte(char c, Event& ended);
    void store(char c) { m_head[m_head_length++] = c; }
    bool end_status_line();
    bool end_field();
    bool end_head(Event& ended);
    bool decide_framing();
    void start_head();

    State m_state;
    ResponseFault m_fault;
    bool m_any_byte;          // anything received at all
    bool m_head_pending_reset;  // an Interim head is shown until the next feed
    usize m_interim;
    // The head: its bytes as stored (status line, then each field's name
    // and value), and how many arrived (the bound counts those).
    char m_head[kMaxHeadBytes];
    usize m_head_length;
    usize m_head_bytes;
    usize m_line_bytes;       // of the status line or the current chunk line
    usize m_status_line_length;
    u16 m_status;
    u8 m_minor;
    FieldSpan m_fields[kMaxFields];
    usize m_field_count;
    bool m_field_open;        // a field whose value may still be folded
    FieldSpan m_current;
    // The body.
    Framing m_framing;
    u64 m_content_length;
    u64 m_remaining;          // of the Content-Length body or the chunk
    u64 m_body_bytes;
    usize m_trailer_bytes;
    bool m_trailer_seen;      // a trailer field line came (a fold may follow)
};

}  // namespace mote::wget
