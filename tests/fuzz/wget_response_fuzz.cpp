// Feeds arbitrary bytes to wget's response parser (user/programs/wget/
// response_parser.*) the way the program does: steps until the parser has
// taken each piece, then the close. The input's first two bytes choose two
// cut points; the rest is the stream. It is parsed whole, in three pieces
// and (when short) one byte at a time. Any crash or sanitizer report is a
// bug; beyond that the parser's promises are checked:
//   - a step never consumes more than it was given, a Body is a non-empty
//     view inside what the step consumed, NeedMore takes everything;
//   - heads have a status in 100..599 (1xx only as Interim), field names
//     that are tokens and values without CR, LF or NUL;
//   - a Content-Length body is never longer than the length, and it ends
//     (End) only once it is all there; body_bytes() counts what came;
//   - End and Error are final; an Error names a fault, End none;
//   - every way of cutting gives the same heads, body bytes, ending and
//     consumed count;
// and a Location in a head is resolved against a base URL (url.*) the way
// wget follows a redirect: whatever it holds, the result is a target that
// starts with '/', holds no control byte and fits its bound.
#include <stddef.h>
#include <stdint.h>

#include <string>

#include "base/verify.hpp"
#include "httpd/http_syntax.hpp"
#include "wget/response_parser.hpp"
#include "wget/url.hpp"

using namespace mote;
using namespace mote::wget;

namespace {

struct Transcript {
    std::string marks;
    std::string body;
    usize consumed = 0;
    bool finished = false;
};

void check_location(StringView location) {
    static Url base;
    static bool ready = false;
    if (!ready) {
        VERIFY(parse_url("http://10.0.2.2:8000/dir/page.html?q=1", base) == UrlFault::None);
        ready = true;
    }
    Url out;
    if (resolve_reference(base, location, out) != UrlFault::None) return;
    const StringView target = out.request_target();
    VERIFY(!target.empty() && target[0] == '/');
    VERIFY(target.length() <= kMaxTargetBytes);
    for (char c : target) VERIFY(u8(c) > 0x20 && u8(c) < 0x7f);
    VERIFY(!out.host().empty());
    const StringView name = default_file_name(out);
    VERIFY(!name.empty());
    for (char c : name) VERIFY(c != '/');
}

void record_head(const ResponseParser& p, char kind, Transcript& t) {
    VERIFY(p.status() >= 100 && p.status() <= 599);
    VERIFY((kind == 'I') == (p.status() < 200));
    t.marks += kind;
    t.marks += std::to_string(p.status());
    t.marks.append(p.status_line().data(), p.status_line().length());
    for (usize i = 0; i < p.field_count(); ++i) {
        const HeaderField f = p.field(i);
        VERIFY(!f.name.empty());
        for (char c : f.name) VERIFY(httpd::is_tchar(c));
        for (char c : f.value) VERIFY(c != '\r' && c != '\n' && c != '\0');
        t.marks += '|';
        t.marks.append(f.name.data(), f.name.length());
        t.marks += '=';
        t.marks.append(f.value.data(), f.value.length());
    }
    StringView location;
    if (kind == 'H' && p.find("location", location) > 0) check_location(location);
    t.marks += ';';
}

void record(const ResponseParser& p, const Step& step, Transcript& t) {
    switch (step.event) {
    case Event::NeedMore: break;
    case Event::Interim: record_head(p, 'I', t); break;
    case Event::Head:
        record_head(p, 'H', t);
        t.marks += char('0' + int(p.framing()));
        break;
    case Event::Body:
        VERIFY(!step.body.empty());
        t.body.append(step.body.data(), step.body.length());
        VERIFY(p.body_bytes() == t.body.size());
        if (p.framing() == Framing::Length) VERIFY(t.body.size() <= p.content_length());
        VERIFY(p.framing() != Framing::None);
        break;
    case Event::End:
        VERIFY(p.fault() == ResponseFault::None);
        if (p.framing() == Framing::Length) VERIFY(t.body.size() == p.content_length());
        t.marks += 'E';
        t.finished = true;
        break;
    case Event::Error:
        VERIFY(p.fault() != ResponseFault::None);
        t.marks += 'X';
        t.marks += response_fault_name(p.fault());
        t.finished = true;
        break;
    }
}

void feed(ResponseParser& p, StringView piece, Transcript& t) {
    while (!t.finished) {
        const Step step = p.feed(piece);
        VERIFY(step.consumed <= piece.length());
        if (step.event == Event::Body) {
            VERIFY(step.body.data() >= piece.data());
            VERIFY(step.body.data() + step.body.length() <= piece.data() + step.consumed);
        }
        t.consumed += step.consumed;
        piece = piece.substr(step.consumed);
        record(p, step, t);
        if (step.event == Event::NeedMore) {
            VERIFY(piece.empty());
            return;
        }
    }
}

void end(ResponseParser& p, Transcript& t) {
    if (!t.finished) record(p, p.finish(), t);
    VERIFY(t.finished);
    // Final: nothing more is taken, and the answer stays.
    const Step again = p.feed("HTTP/1.1 200 OK\r\n");
    VERIFY(again.consumed == 0);
    VERIFY(again.event == Event::End || again.event == Event::Error);
    VERIFY(p.finish().event == again.event);
}

ResponseParser g_parser;

Transcript run_cuts(StringView input, usize a, usize b) {
    Transcript t;
    g_parser.reset();
    feed(g_parser, input.substr(0, a), t);
    feed(g_parser, input.substr(a, b - a), t);
    feed(g_parser, input.substr(b), t);
    end(g_parser, t);
    return t;
}

void same(const Transcript& x, const Transcript& y) {
    VERIFY(x.marks == y.marks);
    VERIFY(x.body == y.body);
    VERIFY(x.consumed == y.consumed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const StringView input(reinterpret_cast<const char*>(data + 2), size - 2);
    usize a = usize(data[0]) * input.length() / 255;
    usize b = usize(data[1]) * input.length() / 255;
    if (a > b) {
        const usize swap = a;
        a = b;
        b = swap;
    }
    const Transcript whole = run_cuts(input, input.length(), input.length());
    same(whole, run_cuts(input, a, b));
    if (input.length() <= 4096) {
        Transcript single;
        g_parser.reset();
        for (usize i = 0; i < input.length() && !single.finished; ++i) feed(g_parser, input.substr(i, 1), single);
        end(g_parser, single);
        same(whole, single);
    }
    return 0;
}
