#include "http_response.hpp"

#include "http_date.hpp"
#include "http_status.hpp"
#include "text_sink.hpp"

namespace mote::httpd {

namespace {

bool safe_field_value(StringView value) {
    for (char c : value) {
        auto byte = u8(c);
        if (byte < 0x20 || byte == 0x7f) return false;
    }
    return true;
}

bool append_date_field(TextSink& sink, StringView name, i64 time) {
    char date[kHttpDateLength];
    auto text = format_http_date(time, Span<char>(date));
    if (text.is_error()) return false;
    sink.append(name);
    sink.append(": ");
    sink.append(text.value());
    sink.append("\r\n");
    return true;
}

}  // namespace

Result<usize> write_response_head(const ResponseHead& head, Span<char> out) {
    if (head.status < 100 || head.status > 999) return Error::InvalidArgument;
    if (!safe_field_value(head.content_type) || !safe_field_value(head.location)) return Error::InvalidArgument;
    TextSink sink(out);
    // status-line = HTTP-version SP status-code SP [ reason-phrase ]
    sink.append("HTTP/1.1 ");
    sink.append_decimal(head.status);
    sink.append(' ');
    sink.append(reason_phrase(head.status));
    sink.append("\r\n");
    if (head.date >= 0 && !append_date_field(sink, "Date", head.date)) return Error::InvalidArgument;
    sink.append("Server: mote\r\n");
    if (head.has_content_length) {
        sink.append("Content-Length: ");
        sink.append_decimal(head.content_length);
        sink.append("\r\n");
    }
    if (!head.content_type.empty()) {
        sink.append("Content-Type: ");
        sink.append(head.content_type);
        sink.append("\r\n");
    }
    if (head.last_modified >= 0 && !append_date_field(sink, "Last-Modified", head.last_modified))
        return Error::InvalidArgument;
    switch (head.content_range.kind) {
    case ContentRange::Kind::None:
        break;
    case ContentRange::Kind::Bytes:
        if (head.content_range.last < head.content_range.first ||
            head.content_range.last >= head.content_range.complete_length)
            return Error::InvalidArgument;
        sink.append("Content-Range: bytes ");
        sink.append_decimal(head.content_range.first);
        sink.append('-');
        sink.append_decimal(head.content_range.last);
        sink.append('/');
        sink.append_decimal(head.content_range.complete_length);
        sink.append("\r\n");
        break;
    case ContentRange::Kind::Unsatisfied:
        sink.append("Content-Range: bytes */");
        sink.append_decimal(head.content_range.complete_length);
        sink.append("\r\n");
        break;
    }
    if (head.accept_ranges) sink.append("Accept-Ranges: bytes\r\n");
    if (!head.location.empty()) {
        sink.append("Location: ");
        sink.append(head.location);
        sink.append("\r\n");
    }
    if (head.allow) sink.append("Allow: GET, HEAD\r\n");
    if (head.connection == ConnectionField::KeepAlive) sink.append("Connection: keep-alive\r\n");
    if (head.connection == ConnectionField::Close) sink.append("Connection: close\r\n");
    sink.append("\r\n");
    if (sink.overflowed()) return Error::Overflow;
    return sink.length();
}

ContentRange content_range_for(const RangeAnswer& answer, u64 size) {
    ContentRange range;
    range.complete_length = size;
    switch (answer.kind) {
    case RangeAnswer::Kind::Full:
        break;
    case RangeAnswer::Kind::Partial:
        range.kind = ContentRange::Kind::Bytes;
        range.first = answer.first;
        range.last = answer.last;
        break;
    case RangeAnswer::Kind::Unsatisfiable:
        range.kind = ContentRange::Kind::Unsatisfied;
        break;
    }
    return range;
}

}  // namespace mote::httpd
