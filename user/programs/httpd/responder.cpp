#include "responder.hpp"

#include "base/memory.hpp"
#include "directory_listing.hpp"
#include "http_range.hpp"
#include "http_status.hpp"
#include "mime_type.hpp"
#include "text_sink.hpp"

namespace mote::httpd {

namespace {

constexpr StringView kTextType = "text/plain; charset=utf-8";
constexpr StringView kHtmlType = "text/html; charset=utf-8";
constexpr StringView kIndexName = "index.html";

bool ends_with_slash(StringView path) { return !path.empty() && path[path.length() - 1] == '/'; }

// What a failed lookup tells the client. Malformed is a path the source
// cannot even look up (too deep, say): nothing is there to be had.
u16 status_for(Error error) {
    switch (error) {
    case Error::NotFound:
    case Error::Malformed: return status::kNotFound;
    case Error::AccessDenied: return status::kForbidden;
    default: return status::kInternalServerError;
    }
}

bool is_dot_name(StringView name) { return name == "." || name == ".."; }

}  // namespace

ResponseHead Responder::base_head(u16 status, i64 now) const {
    ResponseHead head;
    head.status = status;
    head.date = now;
    if (!m_keep_alive) head.connection = ConnectionField::Close;
    // An HTTP/1.0 client closes unless told otherwise (RFC 9112 9.3).
    else if (m_http10) head.connection = ConnectionField::KeepAlive;
    return head;
}

usize Responder::write(ResponseHead head, StringView body, Span<char> out) {
    VERIFY(out.size() >= kHeadRoom);
    usize length = 0;
    auto written = write_response_head(head, out);
    if (written.ok()) {
        length = written.value();
    } else {
        // Only a time that cannot be written gets here (a clock or a file
        // time past 9999): the answer goes without Date and Last-Modified
        // rather than not at all.
        head.date = -1;
        head.last_modified = -1;
        length = MUST(write_response_head(head, out));
    }
    if (!m_head_only && !body.empty()) {
        VERIFY(body.length() <= out.size() - length);
        mem_copy(out.data() + length, body.data(), body.length());
        length += body.length();
    }
    m_status = head.status;
    return length;
}

usize Responder::with_text(ResponseHead head, Span<char> out) {
    // "404 Not Found\n": a person sees why; a program has the status.
    char text[64];
    TextSink sink((Span<char>(text)));
    sink.append_decimal(head.status);
    sink.append(' ');
    sink.append(reason_phrase(head.status));
    sink.append('\n');
    VERIFY(!sink.overflowed());
    head.has_content_length = true;
    head.content_length = sink.length();
    head.content_type = kTextType;
    return write(head, sink.text(), out);
}

void Responder::abandon() {
    if (m_body != Body::None) m_files.close(m_file);
    m_body = Body::None;
}

usize Responder::start(const Request& request, i64 now, Span<char> out) {
    abandon();
    m_keep_alive = request.keep_alive;
    m_http10 = request.version == Version::Http10;
    m_head_only = request.method == Method::Head;
    if (request.escapes_root) {
        // No link leads there: this is a probe, not a mistake, and the
        // prober gets its answer and the end of the connection.
        m_keep_alive = false;
        return with_text(base_head(status::kForbidden, now), out);
    }
    const bool names_directory = ends_with_slash(request.path);
    if (names_directory) {
        // The directory's index.html is looked for first, before the
        // directory is opened, so an answer never holds more than one
        // file open (the process's handles are counted, see ServerConfig).
        char index_path[kMaxTargetBytes + kIndexName.length()];
        TextSink index_sink((Span<char>(index_path)));
        index_sink.append(request.path);
        index_sink.append(kIndexName);
        VERIFY(!index_sink.overflowed());
        auto index = m_files.open(index_sink.text());
        if (index.ok()) {
            if (index.value().info.kind == FileKind::File)
                return start_file(request, index.value(), kIndexName, now, out);
            // A directory (or a device) called index.html: list instead.
            m_files.close(index.value().id);
        } else if (index.error() != Error::NotFound) {
            return with_text(base_head(status_for(index.error()), now), out);
        }
    }
    auto opened = m_files.open(request.path);
    if (opened.is_error()) return with_text(base_head(status_for(opened.error()), now), out);
    const OpenFile& file = opened.value();
    switch (file.info.kind) {
    case FileKind::Directory:
        if (names_directory) return start_listing(request, file, now, out);
        m_files.close(file.id);
        return redirect_to_directory(request, now, out);
    case FileKind::File:
        if (!names_directory) return start_file(request, file, request.path, now, out);
        // "/notes.txt/" names a directory that is not there.
        m_files.close(file.id);
        return with_text(base_head(status::kNotFound, now), out);
    case FileKind::Other:
        break;
    }
    m_files.close(file.id);
    return with_text(base_head(status::kForbidden, now), out);
}

usize Responder::start_error(u16 status, i64 now, Span<char> out) {
    abandon();
    m_keep_alive = false;
    m_http10 = false;
    m_head_only = false;
    ResponseHead head = base_head(status, now);
    // A 405 MUST say what is allowed (RFC 9110 15.5.6).
    head.allow = status == status::kMethodNotAllowed;
    return with_text(head, out);
}

usize Responder::redirect_to_directory(const Request& request, i64 now, Span<char> out) {
    // Relative links in the directory's page (an index.html's "style.css")
    // resolve against the URL's last '/', so a directory is only ever
    // served at its name with the '/'; RFC 9110 10.2.2 lets Location be an
    // absolute path. The path is the decoded one, so it is encoded again.
    char location[kLocationBytes];
    TextSink sink((Span<char>(location)));
    append_percent_encoded(sink, request.path, true);
    sink.append('/');
    if (request.has_query) {
        // The query as sent: the parser let only target bytes through.
        sink.append('?');
        sink.append(request.query);
    }
    VERIFY(!sink.overflowed());
    ResponseHead head = base_head(status::kMovedPermanently, now);
    head.location = sink.text();
    return with_text(head, out);
}

usize Responder::start_listing(const Request& request, const OpenFile& dir, i64 now, Span<char> out) {
    auto length = measure_listing(dir.id, request.path);
    if (length.is_error()) {
        m_files.close(dir.id);
        return with_text(base_head(status::kInternalServerError, now), out);
    }
    // No Last-Modified and no ranges: the page is made here, not stored,
    // and a directory's time says nothing about its entries' sizes.
    ResponseHead head = base_head(status::kOk, now);
    head.has_content_length = true;
    head.content_length = length.value();
    head.content_type = kHtmlType;
    usize written = write(head, StringView(), out);
    if (m_head_only) {
        m_files.close(dir.id);
        return written;
    }
    VERIFY(request.path.length() <= sizeof(m_path));
    mem_copy(m_path, request.path.data(), request.path.length());
    m_path_length = request.path.length();
    m_body = Body::Listing;
    m_file = dir.id;
    m_remaining = length.value();
    m_stage = ListingStage::Begin;
    m_entry = 0;
    return written;
}

Result<u64> Responder::measure_listing(FileId dir, StringView path) {
    TextSink counter;
    listing_begin(counter, path);
    for (u64 index = 0;; ++index) {
        bool more = TRY(m_files.read_entry(dir, index, m_entry_buffer));
        if (!more) break;
        StringView name = m_entry_buffer.view();
        if (is_dot_name(name)) continue;
        listing_entry(counter, path, name, m_entry_buffer.is_directory);
    }
    listing_end(counter);
    return u64(counter.length());
}

usize Responder::start_file(const Request& request, const OpenFile& file, StringView name, i64 now, Span<char> out) {
    // A file time ahead of the clock would make a Last-Modified in the
    // future, which RFC 9110 8.8.2.1 forbids: the Date takes its place.
    const i64 modified = min(file.info.modified, now);
    const u64 size = file.info.size;
    ResponseHead head = base_head(status::kOk, now);
    head.last_modified = modified;
    if (is_not_modified(request, modified, now)) {
        m_files.close(file.id);
        head.status = status::kNotModified;
        return write(head, StringView(), out);
    }

    // One Range line is a candidate; several is a field sent twice,
    // which is no valid Range, so it is ignored like any invalid one.
    ByteRange range;
    if (request.range.single() && range_applies(request, modified, now)) range = parse_range(request.range.value);
    RangeAnswer answer = resolve_range(range, size);
    if (answer.kind == RangeAnswer::Kind::Unsatisfiable) {
        m_files.close(file.id);
        ResponseHead refused = base_head(status::kRangeNotSatisfiable, now);
        refused.content_range = content_range_for(answer, size);
        return with_text(refused, out);
    }
    head.has_content_length = true;
    head.content_type = mime_type_for(name);
    head.accept_ranges = true;
    u64 first = 0;
    u64 length = size;
    if (answer.kind == RangeAnswer::Kind::Partial) {
        head.status = status::kPartialContent;
        head.content_range = content_range_for(answer, size);
        first = answer.first;
        length = answer.length();
    }
    head.content_length = length;
    usize written = write(head, StringView(), out);
    if (m_head_only || length == 0) {
        m_files.close(file.id);
        return written;
    }
    m_body = Body::File;
    m_file = file.id;
    m_offset = first;
    m_remaining = length;
    return written;
}

Result<usize> Responder::produce(Span<char> out) {
    switch (m_body) {
    case Body::None: return usize(0);
    case Body::File: return produce_file(out);
    case Body::Listing: return produce_listing(out);
    }
    return usize(0);
}

Result<usize> Responder::produce_file(Span<char> out) {
    const usize want = usize(min(u64(out.size()), m_remaining));
    if (want == 0) return usize(0);
    usize got = TRY(m_files.read(m_file, m_offset, out.first(want)));
    // The file shrank after its length went out in the head: the promised
    // bytes cannot come, and anything else would be read as this body.
    if (got == 0 || got > want) return Error::Io;
    m_offset += got;
    m_remaining -= got;
    if (m_remaining == 0) abandon();
    return got;
}

Result<usize> Responder::produce_listing(Span<char> out) {
    const StringView path(m_path, m_path_length);
    TextSink sink(out);
    // Each piece goes in whole or not at all; what does not fit waits for
    // the next call, which starts over at the same piece.
    while (sink.length() < m_remaining) {
        const usize mark = sink.mark();
        ListingStage next = m_stage;
        u64 next_entry = m_entry;
        switch (m_stage) {
        case ListingStage::Begin:
            listing_begin(sink, path);
            next = ListingStage::Entries;
            break;
        case ListingStage::Entries: {
            bool more = TRY(m_files.read_entry(m_file, m_entry, m_entry_buffer));
            if (!more) {
                next = ListingStage::End;
                break;
            }
            next_entry = m_entry + 1;
            StringView name = m_entry_buffer.view();
            if (!is_dot_name(name)) listing_entry(sink, path, name, m_entry_buffer.is_directory);
            break;
        }
        case ListingStage::End:
            listing_end(sink);
            next = ListingStage::Pad;
            break;
        case ListingStage::Pad: {
            // The directory lost entries since it was measured: newlines
            // after the page make up the length (they change nothing a
            // browser shows).
            const usize room = out.size() - sink.length();
            const u64 owed = m_remaining - sink.length();
            for (u64 i = 0; i < min(u64(room), owed); ++i) sink.append('\n');
            break;
        }
        }
        if (sink.overflowed()) {
            sink.rewind(mark);
            break;
        }
        m_stage = next;
        m_entry = next_entry;
        if (m_stage == ListingStage::Pad && sink.length() == out.size()) break;
    }
    // It gained entries instead: the page is cut at the promised length.
    const usize written = usize(min(u64(sink.length()), m_remaining));
    m_remaining -= written;
    if (m_remaining == 0) abandon();
    return written;
}

}  // namespace mote::httpd
