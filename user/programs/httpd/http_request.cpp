#include "http_request.hpp"

#include "http_date.hpp"
#include "http_status.hpp"
#include "http_syntax.hpp"

namespace mote::httpd {

namespace {

StringView view(StringView input, u32 start, u32 length) { return input.substr(start, length); }

// uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2): reg-name and IP
// literals use only these bytes. Empty is allowed: a client sends an empty
// Host when the target has no authority (RFC 9112 3.2).
bool is_host_char(char c) {
    if (c == '@' || c == '/' || c == '?' || c == '#') return false;
    return is_target_char(c);
}

u8 bump(u8 count) { return count == 255 ? count : u8(count + 1); }

}  // namespace

void RequestParser::reset() {
    m_state = State::LineStart0;
    m_at = 0;
    m_empty_lines = 0;
    m_header_bytes = 0;
    m_fields = 0;
    m_method = m_target = m_version = m_name = {};
    m_value_start = m_value_end = 0;
    m_body_end = 0;
    m_method_kind = Method::Get;
    m_version_kind = Version::Http11;
    m_decoded = {};
    m_target_fault = TargetFault::None;
    m_host = {};
    m_host_count = 0;
    m_connection_close = m_connection_keep_alive = false;
    m_has_content_length = false;
    m_content_length = 0;
    m_has_transfer_encoding = false;
    m_chunked_last = false;
    m_chunked_count = 0;
    m_other_coding = false;
    m_range = m_if_range = m_if_modified_since = m_if_none_match = {};
    m_range_count = m_if_range_count = m_if_modified_since_count = m_if_none_match_count = 0;
    m_result = {};
}

bool RequestParser::fail(RequestFault fault, u16 status) {
    m_state = State::Failed;
    m_result = {};
    m_result.status = ParseStatus::Error;
    m_result.error_status = status;
    m_result.fault = fault;
    m_result.target_fault = m_target_fault;
    return true;
}

ParseResult RequestParser::feed(StringView input) {
    if (m_state == State::Failed) return m_result;
    // The caller must hand back at least what was already read.
    VERIFY(input.length() >= m_at);
    while (m_at < input.length()) {
        if (m_state == State::Body) {
            // The body is not httpd's business: skip it, however it comes.
            m_at += min(input.length() - m_at, m_body_end - m_at);
            if (m_at < m_body_end) break;
            return complete(input);
        }
        char c = input[m_at++];
        if (step(input, c)) {
            if (m_state == State::Failed) return m_result;
            return complete(input);
        }
    }
    ParseResult more;
    return more;
}

bool RequestParser::step(StringView input, char c) {
    const usize at = m_at - 1;  // where `c` is
    switch (m_state) {
    case State::LineStart0:
        // RFC 9112 2.2: a server SHOULD ignore at least one empty line
        // before a request line (old clients send CRLF after a body).
        if (c == '\r') {
            m_state = State::LeadingCr;
            return false;
        }
        if (c == '\n') {
            if (++m_empty_lines > kMaxLeadingEmptyLines) return fail(RequestFault::TooManyEmptyLines, status::kBadRequest);
            return false;
        }
        m_state = State::Method;
        m_method = {u32(at), 0};
        [[fallthrough]];
    case State::Method:
        if (c == ' ') {
            if (m_method.length == 0) return fail(RequestFault::BadMethod, status::kBadRequest);
            // Methods are case-sensitive (RFC 9110 9.1): "get" is not GET.
            StringView method = view(input, m_method.start, m_method.length);
            if (method == "GET") m_method_kind = Method::Get;
            else if (method == "HEAD") m_method_kind = Method::Head;
            else return fail(RequestFault::MethodNotAllowed, status::kMethodNotAllowed);
            m_state = State::Target;
            m_target = {u32(at + 1), 0};
            return false;
        }
        if (c == '\r' || c == '\n' || c == '\t') return fail(RequestFault::BadRequestLine, status::kBadRequest);
        if (!is_tchar(c)) return fail(RequestFault::BadMethod, status::kBadRequest);
        // A token longer than any method httpd knows can only be another
        // method; no need to wait for the rest of it.
        if (++m_method.length > kMaxMethodBytes) return fail(RequestFault::MethodNotAllowed, status::kMethodNotAllowed);
        return false;
    case State::LeadingCr:
        if (c != '\n') return fail(RequestFault::BareCr, status::kBadRequest);
        if (++m_empty_lines > kMaxLeadingEmptyLines) return fail(RequestFault::TooManyEmptyLines, status::kBadRequest);
        m_state = State::LineStart0;
        return false;
    case State::Target:
        if (c == ' ') {
            // Exactly one SP between the parts (RFC 9112 3): a second one
            // would be an empty target.
            if (m_target.length == 0) return fail(RequestFault::BadRequestLine, status::kBadRequest);
            m_state = State::Version;
            m_version = {u32(at + 1), 0};
            return false;
        }
        if (c == '\r' || c == '\n' || c == '\t') return fail(RequestFault::BadRequestLine, status::kBadRequest);
        if (!is_target_char(c)) {
            m_target_fault = TargetFault::BadChar;
            return fail(RequestFault::BadTarget, status::kBadRequest);
        }
        if (++m_target.length > kMaxTargetBytes) return fail(RequestFault::TargetTooLong, status::kUriTooLong);
        return false;
    case State::Version: {
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 2.3).
        u32 i = m_version.length;
        if (i == 8) {
            if (c == '\r') {
                m_state = State::VersionCr;
                return false;
            }
            if (c == '\n') return end_request_line(input);
            return fail(RequestFault::BadVersion, status::kBadRequest);
        }
        constexpr char kPattern[] = "HTTP/d.d";
        bool good = kPattern[i] == 'd' ? is_digit(c) : c == kPattern[i];
        if (!good) return fail(RequestFault::BadVersion, status::kBadRequest);
        ++m_version.length;
        return false;
    }
    case State::VersionCr:
        if (c != '\n') return fail(RequestFault::BareCr, status::kBadRequest);
        return end_request_line(input);
    default:
        break;
    }

    // The header section: every byte counts against its bound.
    if (++m_header_bytes > kMaxHeaderBytes) return fail(RequestFault::HeaderTooLarge, status::kHeaderFieldsTooLarge);
    switch (m_state) {
    case State::FieldStart:
        if (c == '\r') {
            m_state = State::EndCr;
            return false;
        }
        if (c == '\n') return end_head(input);
        // A line that starts with whitespace continues the last one
        // (obs-fold) or, first of all, is whitespace after the request
        // line; RFC 9112 5.2 and 2.2 let a server reject both with 400,
        // which avoids guessing what a proxy before it made of them.
        if (c == ' ' || c == '\t') return fail(RequestFault::ObsoleteFold, status::kBadRequest);
        if (!is_tchar(c)) return fail(RequestFault::BadFieldName, status::kBadRequest);
        m_state = State::FieldName;
        m_name = {u32(at), 1};
        return false;
    case State::FieldName:
        if (c == ':') {
            m_state = State::FieldValue;
            m_value_start = at + 1;
            return false;
        }
        // Whitespace between name and colon MUST be rejected (RFC 9112 5.1);
        // so is a line with no colon at all.
        if (!is_tchar(c)) return fail(RequestFault::BadFieldName, status::kBadRequest);
        ++m_name.length;
        return false;
    case State::FieldValue:
        if (c == '\r') {
            m_value_end = at;
            m_state = State::FieldCr;
            return false;
        }
        if (c == '\n') {
            m_value_end = at;
            return end_field(input);
        }
        if (!is_field_value_char(c)) return fail(RequestFault::BadFieldValue, status::kBadRequest);
        return false;
    case State::FieldCr:
        if (c != '\n') return fail(RequestFault::BareCr, status::kBadRequest);
        return end_field(input);
    case State::EndCr:
        if (c != '\n') return fail(RequestFault::BareCr, status::kBadRequest);
        return end_head(input);
    default:
        break;
    }
    VERIFY_NOT_REACHED();
}

bool RequestParser::end_request_line(StringView input) {
    StringView version = view(input, m_version.start, m_version.length);
    // Only major version 1 is spoken here. A higher minor version is
    // handled as the highest one known (RFC 9110 2.5): 1.2 is 1.1.
    if (version[5] != '1') return fail(RequestFault::VersionNotSupported, status::kVersionNotSupported);
    m_version_kind = version[7] == '0' ? Version::Http10 : Version::Http11;
    auto decoded = decode_target(view(input, m_target.start, m_target.length), Span<char>(m_path), &m_target_fault);
    if (decoded.is_error()) return fail(RequestFault::BadTarget, status::kBadRequest);
    m_decoded = decoded.value();
    m_state = State::FieldStart;
    return false;
}

bool RequestParser::end_field(StringView input) {
    m_state = State::FieldStart;
    if (++m_fields > kMaxHeaderFields) return fail(RequestFault::TooManyFields, status::kHeaderFieldsTooLarge);
    StringView name = view(input, m_name.start, m_name.length);
    StringView raw = input.substr(m_value_start, m_value_end - m_value_start);
    StringView value = trim_ows(raw);
    // Offsets of the trimmed value, to rebuild the view at the end.
    Span32 where = {u32(value.data() - input.data()), u32(value.length())};

    if (equals_ignoring_case(name, "host")) {
        // RFC 9112 3.2: more than one Host, or an invalid one, is a 400.
        if (++m_host_count > 1) return fail(RequestFault::DuplicateHost, status::kBadRequest);
        for (char c : value)
            if (!is_host_char(c)) return fail(RequestFault::BadHost, status::kBadRequest);
        m_host = where;
    } else if (equals_ignoring_case(name, "content-length")) {
        // 1*DIGIT; a list or repeated line of one same value may be taken
        // as that value, anything else is unrecoverable (RFC 9110 8.6,
        // RFC 9112 6.3).
        ListCursor list(value);
        StringView element;
        bool any = false;
        while (list.next(element)) {
            Decimal number = parse_decimal(element);
            if (!number.valid) return fail(RequestFault::BadContentLength, status::kBadRequest);
            if (m_has_content_length && number.value != m_content_length)
                return fail(RequestFault::BadContentLength, status::kBadRequest);
            m_has_content_length = true;
            m_content_length = number.value;
            any = true;
        }
        if (!any) return fail(RequestFault::BadContentLength, status::kBadRequest);
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
        // Every line adds to one list of codings, applied in order.
        m_has_transfer_encoding = true;
        ListCursor list(value);
        StringView element;
        while (list.next(element)) {
            usize semicolon = 0;
            while (semicolon < element.length() && element[semicolon] != ';') ++semicolon;
            StringView coding = trim_ows(element.substr(0, semicolon));
            if (equals_ignoring_case(coding, "chunked")) {
                ++m_chunked_count;
                m_chunked_last = true;
            } else {
                m_other_coding = true;
                m_chunked_last = false;
            }
        }
    } else if (equals_ignoring_case(name, "connection")) {
        ListCursor list(value);
        StringView option;
        while (list.next(option)) {
            if (equals_ignoring_case(option, "close")) m_connection_close = true;
            else if (equals_ignoring_case(option, "keep-alive")) m_connection_keep_alive = true;
        }
    } else if (equals_ignoring_case(name, "range")) {
        if (m_range_count == 0) m_range = where;
        m_range_count = bump(m_range_count);
    } else if (equals_ignoring_case(name, "if-range")) {
        if (m_if_range_count == 0) m_if_range = where;
        m_if_range_count = bump(m_if_range_count);
    } else if (equals_ignoring_case(name, "if-modified-since")) {
        if (m_if_modified_since_count == 0) m_if_modified_since = where;
        m_if_modified_since_count = bump(m_if_modified_since_count);
    } else if (equals_ignoring_case(name, "if-none-match")) {
        if (m_if_none_match_count == 0) m_if_none_match = where;
        m_if_none_match_count = bump(m_if_none_match_count);
    }
    return false;
}

bool RequestParser::end_head(StringView input) {
    (void)input;
    if (m_version_kind == Version::Http11 && m_host_count == 0)
        return fail(RequestFault::MissingHost, status::kBadRequest);
    // Transfer-Encoding (RFC 9112 6.1, 6.3, 7): any body framed by it ends
    // the connection, as httpd reads bodies only by Content-Length, so
    // every path here is an error; which one tells the client what was
    // wrong. In HTTP/1.0 the field means the framing is faulty. A list
    // that does not end in chunked cannot be framed at all (MUST 400);
    // an unknown coding is 501 (SHOULD); chunked twice is invalid; and
    // a plain chunked body is one httpd chooses not to take: 411 asks
    // for a Content-Length instead (RFC 9112 6.3).
    if (m_has_transfer_encoding) {
        if (m_version_kind == Version::Http10)
            return fail(RequestFault::TransferEncodingHttp10, status::kBadRequest);
        if (!m_chunked_last) return fail(RequestFault::ChunkedNotFinal, status::kBadRequest);
        if (m_other_coding) return fail(RequestFault::UnknownTransferCoding, status::kNotImplemented);
        if (m_chunked_count > 1) return fail(RequestFault::ChunkedTwice, status::kBadRequest);
        return fail(RequestFault::ChunkedBody, status::kLengthRequired);
    }
    if (m_content_length > kMaxBodyBytes) return fail(RequestFault::BodyTooLarge, status::kContentTooLarge);
    if (m_content_length > 0) {
        m_state = State::Body;
        m_body_end = m_at + usize(m_content_length);
        return false;
    }
    m_body_end = m_at;
    return true;
}

ParseResult RequestParser::complete(StringView input) {
    ParseResult result;
    result.status = ParseStatus::Complete;
    result.consumed = m_body_end;
    Request& r = result.request;
    r.method = m_method_kind;
    r.version = m_version_kind;
    r.target = view(input, m_target.start, m_target.length);
    r.path = m_decoded.path;
    r.query = m_decoded.query;
    r.has_query = m_decoded.has_query;
    r.escapes_root = m_decoded.escapes_root;
    r.host = m_decoded.authority.empty() ? view(input, m_host.start, m_host.length) : m_decoded.authority;
    r.keep_alive = m_version_kind == Version::Http11 ? !m_connection_close
                                                     : m_connection_keep_alive && !m_connection_close;
    r.content_length = m_content_length;
    r.range = {view(input, m_range.start, m_range.length), m_range_count};
    r.if_range = {view(input, m_if_range.start, m_if_range.length), m_if_range_count};
    r.if_modified_since = {view(input, m_if_modified_since.start, m_if_modified_since.length),
                           m_if_modified_since_count};
    r.if_none_match = {view(input, m_if_none_match.start, m_if_none_match.length), m_if_none_match_count};
    // The path lives in m_path, which reset() leaves alone: it stays valid
    // until the next request line is decoded.
    reset();
    return result;
}

bool is_not_modified(const Request& request, i64 last_modified, i64 now) {
    if (request.if_none_match.present()) {
        // Only the first line is read; missing a "*" on a later one just
        // sends the whole file, which is never wrong.
        ListCursor tags(request.if_none_match.value);
        StringView tag;
        while (tags.next(tag))
            if (tag == "*") return true;
        return false;
    }
    if (!request.if_modified_since.single()) return false;
    auto since = parse_http_date(request.if_modified_since.value, now);
    if (since.is_error() || since.value() > now) return false;
    return last_modified <= since.value();
}

bool range_applies(const Request& request, i64 last_modified, i64 now) {
    if (!request.if_range.present()) return true;
    if (!request.if_range.single()) return false;
    auto date = parse_http_date(request.if_range.value, now);
    if (date.is_error()) return false;  // an entity tag, or garbage
    return date.value() == last_modified && last_modified < now;
}

const char* request_fault_name(RequestFault fault) {
    switch (fault) {
    case RequestFault::None: return "None";
    case RequestFault::TooManyEmptyLines: return "TooManyEmptyLines";
    case RequestFault::BadMethod: return "BadMethod";
    case RequestFault::MethodNotAllowed: return "MethodNotAllowed";
    case RequestFault::BadRequestLine: return "BadRequestLine";
    case RequestFault::TargetTooLong: return "TargetTooLong";
    case RequestFault::BadTarget: return "BadTarget";
    case RequestFault::BadVersion: return "BadVersion";
    case RequestFault::VersionNotSupported: return "VersionNotSupported";
    case RequestFault::BareCr: return "BareCr";
    case RequestFault::ObsoleteFold: return "ObsoleteFold";
    case RequestFault::BadFieldName: return "BadFieldName";
    case RequestFault::BadFieldValue: return "BadFieldValue";
    case RequestFault::HeaderTooLarge: return "HeaderTooLarge";
    case RequestFault::TooManyFields: return "TooManyFields";
    case RequestFault::MissingHost: return "MissingHost";
    case RequestFault::DuplicateHost: return "DuplicateHost";
    case RequestFault::BadHost: return "BadHost";
    case RequestFault::BadContentLength: return "BadContentLength";
    case RequestFault::BodyTooLarge: return "BodyTooLarge";
    case RequestFault::TransferEncodingHttp10: return "TransferEncodingHttp10";
    case RequestFault::ChunkedNotFinal: return "ChunkedNotFinal";
    case RequestFault::ChunkedTwice: return "ChunkedTwice";
    case RequestFault::UnknownTransferCoding: return "UnknownTransferCoding";
    case RequestFault::ChunkedBody: return "ChunkedBody";
    }
    return "UnknownRequestFault";
}

}  // namespace mote::httpd
