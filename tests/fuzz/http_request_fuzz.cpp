// Feeds arbitrary bytes to httpd's request parser (user/programs/httpd/)
// the way a connection would: as one buffer, and again cut in two at a
// point the input chooses, each time consuming pipelined requests until
// the parser needs more or refuses. Any crash or sanitizer report is a
// bug; beyond that the parser's promises are checked:
//   - a complete request consumes at least one byte and no more than given;
//   - an error names one of the statuses the parser may answer;
//   - a parsed path starts with '/', holds no NUL and no "." or ".."
//     segment (or is empty, when it climbs above the root);
//   - feeding in two pieces gives the same sequence of results as whole;
// and the helpers the server runs on a parsed request (range, dates,
// preconditions, the response head) must not fail on what it holds.
#include <stddef.h>
#include <stdint.h>

#include "base/verify.hpp"
#include "httpd/http_range.hpp"
#include "httpd/http_request.hpp"
#include "httpd/http_response.hpp"
#include "httpd/mime_type.hpp"

using namespace mote;
using namespace mote::httpd;

namespace {

constexpr usize kMaxOutcomes = 64;

struct Outcome {
    ParseStatus status;
    usize consumed;
    u16 error_status;
    RequestFault fault;
    // A digest of the request, enough to see two parses disagree.
    u64 digest;
};

u64 mix(u64 h, StringView text) {
    for (char c : text) h = (h ^ u8(c)) * 0x100000001b3ull;
    return (h ^ text.length()) * 0x100000001b3ull;
}

void check_path(StringView path, bool escapes_root) {
    if (escapes_root) {
        VERIFY(path.empty());
        return;
    }
    VERIFY(!path.empty() && path[0] == '/');
    usize start = 1;
    for (usize i = 1; i <= path.length(); ++i) {
        if (i < path.length()) VERIFY(path[i] != '\0');
        if (i == path.length() || path[i] == '/') {
            StringView segment = path.substr(start, i - start);
            // Only the last segment may be empty (a directory's '/').
            VERIFY(!segment.empty() || i == path.length());
            VERIFY(!(segment == "." || segment == ".."));
            start = i + 1;
        }
    }
}

void exercise(const Request& r) {
    ByteRange range = parse_range(r.range.value);
    const u64 sizes[] = {0, 1, 1000, ~u64(0)};
    for (u64 size : sizes) {
        RangeAnswer answer = resolve_range(range, size);
        if (answer.kind == RangeAnswer::Kind::Partial) {
            VERIFY(answer.first <= answer.last && answer.last < size);
            char head[512];
            ResponseHead h;
            h.status = 206;
            h.date = 0;
            h.has_content_length = true;
            h.content_length = answer.length();
            h.content_type = mime_type_for(r.path);
            h.content_range = content_range_for(answer, size);
            VERIFY(write_response_head(h, Span<char>(head)).ok());
        }
    }
    (void)is_not_modified(r, 1000000000, 1700000000);
}

// Parses `input` as a connection would receive it: the first `cut` bytes,
// then all of it. Records each request's outcome.
usize run(StringView input, usize cut, Outcome* outcomes) {
    RequestParser parser;
    usize count = 0;
    usize start = 0;
    usize available = cut;
    while (count < kMaxOutcomes) {
        ParseResult result = parser.feed(input.substr(start, available - start));
        if (result.status == ParseStatus::NeedMore) {
            if (available == input.length()) {
                outcomes[count++] = {ParseStatus::NeedMore, 0, 0, RequestFault::None, 0};
                break;
            }
            available = input.length();
            continue;
        }
        Outcome o {result.status, result.consumed, result.error_status, result.fault, 0};
        if (result.status == ParseStatus::Error) {
            u16 s = result.error_status;
            VERIFY(s == 400 || s == 405 || s == 411 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505);
            VERIFY(result.fault != RequestFault::None);
            outcomes[count++] = o;
            break;
        }
        const Request& r = result.request;
        VERIFY(result.consumed >= 1 && result.consumed <= available - start);
        check_path(r.path, r.escapes_root);
        exercise(r);
        u64 h = 0xcbf29ce484222325ull;
        h = mix(h, r.target);
        h = mix(h, r.path);
        h = mix(h, r.query);
        h = mix(h, r.host);
        h = mix(h, r.range.value);
        h = mix(h, r.if_modified_since.value);
        h = (h ^ (u64(r.method) << 8 | u64(r.version) << 16 | u64(r.keep_alive) << 24 | u64(r.escapes_root) << 32 |
                  u64(r.has_query) << 40)) * 0x100000001b3ull;
        h = (h ^ r.content_length ^ u64(r.range.count) << 48) * 0x100000001b3ull;
        o.digest = h;
        outcomes[count++] = o;
        start += result.consumed;
    }
    return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The first byte picks where the input is cut; the rest is the stream.
    usize cut_seed = data[0];
    StringView input(reinterpret_cast<const char*>(data + 1), size - 1);
    usize cut = input.empty() ? 0 : cut_seed * input.length() / 255;

    Outcome whole[kMaxOutcomes];
    Outcome pieces[kMaxOutcomes];
    usize whole_count = run(input, input.length(), whole);
    usize piece_count = run(input, cut, pieces);
    VERIFY(whole_count == piece_count);
    for (usize i = 0; i < whole_count; ++i) {
        VERIFY(whole[i].status == pieces[i].status);
        VERIFY(whole[i].consumed == pieces[i].consumed);
        VERIFY(whole[i].error_status == pieces[i].error_status);
        VERIFY(whole[i].fault == pieces[i].fault);
        VERIFY(whole[i].digest == pieces[i].digest);
    }
    return 0;
}
