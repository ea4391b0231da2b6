#include "response_parser.hpp"

#include "base/verify.hpp"
#include "httpd/http_syntax.hpp"

namespace mote::wget {

// The character classes and list walking are httpd's (one copy of HTTP's
// lexical rules in the tree).
using httpd::equals_ignoring_case;
using httpd::hex_value;
using httpd::is_digit;
using httpd::is_field_value_char;
using httpd::is_tchar;
using httpd::ListCursor;
using httpd::trim_ows;

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// 1*DIGIT as a u64 (RFC 9110 8.6); false for anything else, `overflow`
// set when the digits are fine but the number is too large.
bool parse_length(StringView digits, u64& value, bool& overflow) {
    overflow = false;
    if (digits.empty()) return false;
    u64 v = 0;
    for (char c : digits) {
        if (!is_digit(c)) return false;
        const u64 d = u64(c - '0');
        if (v > (~u64(0) - d) / 10) {
            overflow = true;
            return false;
        }
        v = v * 10 + d;
    }
    value = v;
    return true;
}

}  // namespace

void ResponseParser::reset() {
    m_state = State::StatusLine;
    m_fault = ResponseFault::None;
    m_any_byte = false;
    m_head_pending_reset = false;
    m_interim = 0;
    start_head();
    m_framing = Framing::None;
    m_content_length = 0;
    m_remaining = 0;
    m_body_bytes = 0;
    m_trailer_bytes = 0;
    m_trailer_seen = false;
}

void ResponseParser::start_head() {
    m_head_length = 0;
    m_head_bytes = 0;
    m_line_bytes = 0;
    m_status_line_length = 0;
    m_status = 0;
    m_minor = 0;
    m_field_count = 0;
    m_field_open = false;
    m_current = {};
}

bool ResponseParser::fail(ResponseFault fault) {
    m_state = State::Failed;
    m_fault = fault;
    return false;
}

Step ResponseParser::feed(StringView input) {
    if (m_state == State::Failed) return {Event::Error, 0, {}};
    if (m_head_pending_reset) {
        start_head();
        m_head_pending_reset = false;
    }
    usize at = 0;
    while (true) {
        if (m_state == State::Done) return {Event::End, at, {}};
        if (at == input.length()) return {Event::NeedMore, at, {}};
        if (m_state == State::LengthBody || m_state == State::ChunkData || m_state == State::UntilClose) {
            usize n = input.length() - at;
            if (m_state != State::UntilClose && u64(n) > m_remaining) n = usize(m_remaining);
            const StringView body = input.substr(at, n);
            at += n;
            m_body_bytes += n;
            if (m_state != State::UntilClose) {
                m_remaining -= n;
                if (m_remaining == 0) m_state = m_state == State::LengthBody ? State::Done : State::ChunkDataEnd;
            }
            return {Event::Body, at, body};
        }
        m_any_byte = true;
        Event ended = Event::NeedMore;
        if (!step(input[at++], ended)) return {Event::Error, at, {}};
        if (ended != Event::NeedMore) return {ended, at, {}};
    }
}

Step ResponseParser::finish() {
    switch (m_state) {
    case State::Failed: return {Event::Error, 0, {}};
    case State::Done:
    case State::UntilClose:
        m_state = State::Done;
        return {Event::End, 0, {}};
    case State::StatusLine:
        fail(m_any_byte ? ResponseFault::TruncatedHead : ResponseFault::NoResponse);
        return {Event::Error, 0, {}};
    case State::StatusCr:
    case State::LineStart:
    case State::FieldName:
    case State::FieldOws:
    case State::FieldValue:
    case State::FieldCr:
    case State::HeadEndCr:
        fail(ResponseFault::TruncatedHead);
        return {Event::Error, 0, {}};
    case State::LengthBody:
        fail(ResponseFault::TruncatedBody);
        return {Event::Error, 0, {}};
    default:
        fail(ResponseFault::TruncatedChunked);
        return {Event::Error, 0, {}};
    }
}

bool ResponseParser::step(char c, Event& ended) {
    switch (m_state) {
    case State::StatusLine:
    case State::StatusCr:
    case State::LineStart:
    case State::FieldName:
    case State::FieldOws:
    case State::FieldValue:
    case State::FieldCr:
    case State::HeadEndCr: return head_byte(c, ended);
    case State::ChunkSize:
    case State::ChunkDigits:
    case State::ChunkSpace:
    case State::ChunkExtension:
    case State::ChunkLineCr:
    case State::ChunkDataEnd:
    case State::ChunkDataCr: return chunk_byte(c, ended);
    case State::TrailerStart:
    case State::TrailerName:
    case State::TrailerValue:
    case State::TrailerCr:
    case State::TrailerEndCr: return trailer_byte(c, ended);
    default: break;
    }
    VERIFY_NOT_REACHED();
}

bool ResponseParser::head_byte(char c, Event& ended) {
    if (m_state == State::StatusLine || m_state == State::StatusCr) {
        if (++m_line_bytes > kMaxStatusLineBytes) return fail(ResponseFault::StatusLineTooLong);
    }
    if (++m_head_bytes > kMaxHeadBytes) return fail(ResponseFault::HeaderTooLarge);
    switch (m_state) {
    case State::StatusLine:
        if (c == '\r') {
            m_state = State::StatusCr;
            return true;
        }
        // RFC 9112 2.2: a lone LF may end a line, as leniency allows.
        if (c == '\n') return end_status_line();
        store(c);
        return true;
    case State::StatusCr:
        if (c != '\n') return fail(ResponseFault::BareCr);
        return end_status_line();
    case State::LineStart:
        if (c == '\r') {
            m_state = State::HeadEndCr;
            return true;
        }
        if (c == '\n') return end_head(ended);
        if (is_space(c)) {
            // RFC 9112 2.2: whitespace before the first field is refused.
            if (!m_field_open) return fail(ResponseFault::WhitespaceBeforeField);
            // RFC 9112 5.2: a user agent replaces an obsolete line fold
            // with SP and reads on in the same value.
            store(' ');
            m_state = State::FieldOws;
            return true;
        }
        if (m_field_open && !end_field()) return false;
        if (!is_tchar(c)) return fail(ResponseFault::BadFieldName);
        m_current = {};
        m_current.name_start = u16(m_head_length);
        store(c);
        m_state = State::FieldName;
        return true;
    case State::FieldName:
        if (c == ':') {
            m_current.name_length = u16(m_head_length - m_current.name_start);
            m_current.value_start = u16(m_head_length);
            m_state = State::FieldOws;
            return true;
        }
        // Whitespace before ':' too (RFC 9112 5.1).
        if (!is_tchar(c)) return fail(ResponseFault::BadFieldName);
        store(c);
        return true;
    case State::FieldOws:
        if (is_space(c)) return true;
        m_state = State::FieldValue;
        [[fallthrough]];
    case State::FieldValue:
        if (c == '\r') {
            m_state = State::FieldCr;
            return true;
        }
        if (c == '\n') {
            m_field_open = true;
            m_state = State::LineStart;
            return true;
        }
        if (!is_field_value_char(c)) return fail(ResponseFault::BadFieldValue);
        store(c);
        return true;
    case State::FieldCr:
        if (c != '\n') return fail(ResponseFault::BareCr);
        m_field_open = true;
        m_state = State::LineStart;
        return true;
    case State::HeadEndCr:
        if (c != '\n') return fail(ResponseFault::BareCr);
        return end_head(ended);
    default: break;
    }
    VERIFY_NOT_REACHED();
}

bool ResponseParser::end_status_line() {
    m_status_line_length = m_head_length;
    const StringView line = status_line();
    // status-line = HTTP-version SP status-code SP [ reason-phrase ]
    // (RFC 9112 4); the name is case-sensitive (2.3). A line that ends
    // right after the code is taken too: only the reason is optional.
    if (line.length() < 12 || !line.starts_with("HTTP/") || !is_digit(line[5]) || line[6] != '.' ||
        !is_digit(line[7]) || line[8] != ' ')
        return fail(ResponseFault::BadStatusLine);
    if (line[5] != '1') return fail(ResponseFault::VersionNotSupported);
    m_minor = u8(line[7] - '0');
    if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return fail(ResponseFault::BadStatusLine);
    m_status = u16((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
    if (m_status < 100 || m_status > 599) return fail(ResponseFault::BadStatusCode);
    if (line.length() > 12) {
        if (line[12] != ' ') return fail(ResponseFault::BadStatusLine);
        for (char c : line.substr(13))
            if (!is_field_value_char(c)) return fail(ResponseFault::BadStatusLine);
    }
    m_state = State::LineStart;
    return true;
}

bool ResponseParser::end_field() {
    m_field_open = false;
    if (m_field_count == kMaxFields) return fail(ResponseFault::TooManyFields);
    usize start = m_current.value_start;
    usize end = m_head_length;
    while (start < end && is_space(m_head[start])) ++start;
    while (end > start && is_space(m_head[end - 1])) --end;
    m_current.value_start = u16(start);
    m_current.value_length = u16(end - start);
    m_fields[m_field_count++] = m_current;
    return true;
}

bool ResponseParser::end_head(Event& ended) {
    if (m_field_open && !end_field()) return false;
    if (m_status < 200) {
        // RFC 9110 15.2: a client reads 1xx responses and waits for the
        // final one. 101 would switch protocols nobody asked for.
        if (m_status == 101) return fail(ResponseFault::UnexpectedSwitch);
        if (++m_interim > kMaxInterim) return fail(ResponseFault::TooManyInterim);
        m_state = State::StatusLine;
        m_head_pending_reset = true;
        ended = Event::Interim;
        return true;
    }
    if (!decide_framing()) return false;
    ended = Event::Head;
    return true;
}

bool ResponseParser::decide_framing() {
    // RFC 9112 6.3, in its order. 1: 204 and 304 end at the head, whatever
    // their fields say.
    if (m_status == 204 || m_status == 304) {
        m_framing = Framing::None;
        m_state = State::Done;
        return true;
    }
    bool has_length = false;
    u64 length = 0;
    bool has_coding = false;
    u32 chunked = 0;
    bool other_coding = false;
    for (usize i = 0; i < m_field_count; ++i) {
        const HeaderField f = field(i);
        if (equals_ignoring_case(f.name, "content-length")) {
            // A list, or repeated lines, of one same value is that value;
            // anything else cannot be framed (RFC 9110 8.6).
            ListCursor list(f.value);
            StringView element;
            bool any = false;
            while (list.next(element)) {
                u64 value = 0;
                bool overflow = false;
                if (!parse_length(element, value, overflow))
                    return fail(overflow ? ResponseFault::ContentLengthTooLarge : ResponseFault::BadContentLength);
                if (has_length && value != length) return fail(ResponseFault::BadContentLength);
                has_length = true;
                length = value;
                any = true;
            }
            if (!any) return fail(ResponseFault::BadContentLength);
        } else if (equals_ignoring_case(f.name, "transfer-encoding")) {
            // Every line adds to one list of codings, applied in order.
            has_coding = true;
            ListCursor list(f.value);
            StringView element;
            while (list.next(element)) {
                usize semicolon = 0;
                while (semicolon < element.length() && element[semicolon] != ';') ++semicolon;
                if (equals_ignoring_case(trim_ows(element.substr(0, semicolon)), "chunked")) ++chunked;
                else other_coding = true;
            }
        }
    }
    if (has_coding) {
        // 6.1: in HTTP/1.0 the field means the framing is faulty. 6.3 (3):
        // with Content-Length beside it, a sign of smuggling, "ought to be
        // handled as an error". A coding wget cannot undo would hand the
        // user encoded bytes (and if chunked is not last the body would
        // run to the close, still encoded): refused. An empty list frames
        // nothing.
        if (m_minor == 0) return fail(ResponseFault::TransferEncodingHttp10);
        if (has_length) return fail(ResponseFault::ConflictingFraming);
        if (other_coding || chunked == 0) return fail(ResponseFault::UnsupportedTransferCoding);
        if (chunked > 1) return fail(ResponseFault::ChunkedTwice);
        m_framing = Framing::Chunked;
        m_state = State::ChunkSize;
        m_line_bytes = 0;
        return true;
    }
    if (has_length) {
        m_framing = Framing::Length;
        m_content_length = length;
        m_remaining = length;
        m_state = length ? State::LengthBody : State::Done;
        return true;
    }
    m_framing = Framing::UntilClose;
    m_state = State::UntilClose;
    return true;
}

bool ResponseParser::chunk_byte(char c, Event& ended) {
    (void)ended;
    if (m_state != State::ChunkDataEnd && m_state != State::ChunkDataCr) {
        if (++m_line_bytes > kMaxChunkLineBytes) return fail(ResponseFault::ChunkLineTooLong);
    }
    // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF (RFC 9112 7.1);
    // extensions are read and ignored (7.1.1), BWS around them allowed.
    auto end_line = [&] {
        m_line_bytes = 0;
        m_state = m_remaining == 0 ? State::TrailerStart : State::ChunkData;
        return true;
    };
    switch (m_state) {
    case State::ChunkSize: {
        const int digit = hex_value(c);
        if (digit < 0) return fail(ResponseFault::BadChunkSize);
        m_remaining = u64(digit);
        m_state = State::ChunkDigits;
        return true;
    }
    case State::ChunkDigits: {
        const int digit = hex_value(c);
        if (digit >= 0) {
            if (m_remaining > (~u64(0) >> 4)) return fail(ResponseFault::ChunkSizeOverflow);
            m_remaining = m_remaining << 4 | u64(digit);
            return true;
        }
        if (c == ';') m_state = State::ChunkExtension;
        else if (is_space(c)) m_state = State::ChunkSpace;
        else if (c == '\r') m_state = State::ChunkLineCr;
        else if (c == '\n') return end_line();
        else return fail(ResponseFault::BadChunkSize);
        return true;
    }
    case State::ChunkSpace:
        if (is_space(c)) return true;
        if (c == ';') m_state = State::ChunkExtension;
        else if (c == '\r') m_state = State::ChunkLineCr;
        else if (c == '\n') return end_line();
        else return fail(ResponseFault::BadChunkSize);
        return true;
    case State::ChunkExtension:
        if (c == '\r') m_state = State::ChunkLineCr;
        else if (c == '\n') return end_line();
        else if (!is_field_value_char(c)) return fail(ResponseFault::BadChunkExtension);
        return true;
    case State::ChunkLineCr:
        if (c != '\n') return fail(ResponseFault::BareCr);
        return end_line();
    case State::ChunkDataEnd:
        if (c == '\r') m_state = State::ChunkDataCr;
        else if (c == '\n') m_state = State::ChunkSize;
        else return fail(ResponseFault::MissingChunkEnd);
        return true;
    case State::ChunkDataCr:
        if (c != '\n') return fail(ResponseFault::MissingChunkEnd);
        m_state = State::ChunkSize;
        return true;
    default: break;
    }
    VERIFY_NOT_REACHED();
}

bool ResponseParser::trailer_byte(char c, Event& ended) {
    // trailer-section = *( field-line CRLF ), then CRLF (RFC 9112 7.1.2).
    // wget needs none of the fields: they are checked and dropped.
    if (++m_trailer_bytes > kMaxTrailerBytes) return fail(ResponseFault::TrailerTooLarge);
    auto done = [&] {
        m_state = State::Done;
        ended = Event::End;
        return true;
    };
    switch (m_state) {
    case State::TrailerStart:
        if (c == '\r') m_state = State::TrailerEndCr;
        else if (c == '\n') return done();
        else if (is_space(c) && m_trailer_seen) m_state = State::TrailerValue;  // an obsolete fold
        else if (is_tchar(c)) m_state = State::TrailerName;
        else return fail(ResponseFault::BadTrailer);
        return true;
    case State::TrailerName:
        if (c == ':') {
            m_trailer_seen = true;
            m_state = State::TrailerValue;
        } else if (!is_tchar(c)) {
            return fail(ResponseFault::BadTrailer);
        }
        return true;
    case State::TrailerValue:
        if (c == '\r') m_state = State::TrailerCr;
        else if (c == '\n') m_state = State::TrailerStart;
        else if (!is_field_value_char(c)) return fail(ResponseFault::BadTrailer);
        return true;
    case State::TrailerCr:
        if (c != '\n') return fail(ResponseFault::BareCr);
        m_state = State::TrailerStart;
        return true;
    case State::TrailerEndCr:
        if (c != '\n') return fail(ResponseFault::BareCr);
        return done();
    default: break;
    }
    VERIFY_NOT_REACHED();
}

StringView ResponseParser::reason() const {
    const StringView line = status_line();
    return line.length() > 13 ? line.substr(13) : StringView();
}

HeaderField ResponseParser::field(usize index) const {
    VERIFY(index < m_field_count);
    const FieldSpan& f = m_fields[index];
    return {StringView(m_head + f.name_start, f.name_length), StringView(m_head + f.value_start, f.value_length)};
}

usize ResponseParser::find(StringView name, StringView& value) const {
    usize count = 0;
    for (usize i = 0; i < m_field_count; ++i) {
        const HeaderField f = field(i);
        if (!equals_ignoring_case(f.name, name)) continue;
        if (count++ == 0) value = f.value;
    }
    return count;
}

const char* response_fault_name(ResponseFault fault) {
    switch (fault) {
    case ResponseFault::None: return "None";
    case ResponseFault::NoResponse: return "NoResponse";
    case ResponseFault::StatusLineTooLong: return "StatusLineTooLong";
    case ResponseFault::BadStatusLine: return "BadStatusLine";
    case ResponseFault::VersionNotSupported: return "VersionNotSupported";
    case ResponseFault::BadStatusCode: return "BadStatusCode";
    case ResponseFault::BareCr: return "BareCr";
    case ResponseFault::WhitespaceBeforeField: return "WhitespaceBeforeField";
    case ResponseFault::BadFieldName: return "BadFieldName";
    case ResponseFault::BadFieldValue: return "BadFieldValue";
    case ResponseFault::HeaderTooLarge: return "HeaderTooLarge";
    case ResponseFault::TooManyFields: return "TooManyFields";
    case ResponseFault::TooManyInterim: return "TooManyInterim";
    case ResponseFault::UnexpectedSwitch: return "UnexpectedSwitch";
    case ResponseFault::TruncatedHead: return "TruncatedHead";
    case ResponseFault::BadContentLength: return "BadContentLength";
    case ResponseFault::ContentLengthTooLarge: return "ContentLengthTooLarge";
    case ResponseFault::ConflictingFraming: return "ConflictingFraming";
    case ResponseFault::TransferEncodingHttp10: return "TransferEncodingHttp10";
    case ResponseFault::UnsupportedTransferCoding: return "UnsupportedTransferCoding";
    case ResponseFault::ChunkedTwice: return "ChunkedTwice";
    case ResponseFault::BadChunkSize: return "BadChunkSize";
    case ResponseFault::ChunkSizeOverflow: return "ChunkSizeOverflow";
    case ResponseFault::ChunkLineTooLong: return "ChunkLineTooLong";
    case ResponseFault::BadChunkExtension: return "BadChunkExtension";
    case ResponseFault::MissingChunkEnd: return "MissingChunkEnd";
    case ResponseFault::BadTrailer: return "BadTrailer";
    case ResponseFault::TrailerTooLarge: return "TrailerTooLarge";
    case ResponseFault::TruncatedBody: return "TruncatedBody";
    case ResponseFault::TruncatedChunked: return "TruncatedChunked";
    }
    return "UnknownResponseFault";
}

const char* response_fault_text(ResponseFault fault) {
    switch (fault) {
    case ResponseFault::None: return "no fault";
    case ResponseFault::NoResponse: return "the server closed the connection without answering";
    case ResponseFault::StatusLineTooLong: return "status line longer than 1024 bytes";
    case ResponseFault::BadStatusLine: return "malformed status line (not HTTP/1.x)";
    case ResponseFault::VersionNotSupported: return "the server answered in an HTTP version other than 1.x";
    case ResponseFault::BadStatusCode: return "status code outside 100-599";
    case ResponseFault::BareCr: return "CR not followed by LF in the response";
    case ResponseFault::WhitespaceBeforeField: return "whitespace before the first header field";
    case ResponseFault::BadFieldName: return "malformed header field name";
    case ResponseFault::BadFieldValue: return "control character in a header field value";
    case ResponseFault::HeaderTooLarge: return "response header larger than 16 KiB";
    case ResponseFault::TooManyFields: return "more than 100 header fields";
    case ResponseFault::TooManyInterim: return "more than 16 interim (1xx) responses";
    case ResponseFault::UnexpectedSwitch: return "101 Switching Protocols, which was not asked for";
    case ResponseFault::TruncatedHead: return "the connection closed in the middle of the response header";
    case ResponseFault::BadContentLength: return "invalid Content-Length";
    case ResponseFault::ContentLengthTooLarge: return "Content-Length too large";
    case ResponseFault::ConflictingFraming: return "both Transfer-Encoding and Content-Length in the response";
    case ResponseFault::TransferEncodingHttp10: return "Transfer-Encoding in an HTTP/1.0 response";
    case ResponseFault::UnsupportedTransferCoding: return "transfer coding other than chunked";
    case ResponseFault::ChunkedTwice: return "chunked transfer coding applied twice";
    case ResponseFault::BadChunkSize: return "malformed chunk size";
    case ResponseFault::ChunkSizeOverflow: return "chunk size too large";
    case ResponseFault::ChunkLineTooLong: return "chunk size line longer than 1024 bytes";
    case ResponseFault::BadChunkExtension: return "control character in a chunk extension";
    case ResponseFault::MissingChunkEnd: return "chunk data not followed by CRLF";
    case ResponseFault::BadTrailer: return "malformed trailer field";
    case ResponseFault::TrailerTooLarge: return "trailer section larger than 8 KiB";
    case ResponseFault::TruncatedBody: return "the connection closed before Content-Length bytes arrived";
    case ResponseFault::TruncatedChunked: return "the connection closed before the last chunk";
    }
    return "unknown response fault";
}

}  // namespace mote::wget
