// wget [-O FILE|-] [-q] [-S] [-T SECONDS] URL: fetches one http:// URL.
//
//   -O FILE   save the body as FILE (default: the last segment of the
//             URL's path, or index.html); -O - writes it to stdout
//   -q        no summary
//   -S        print the response heads (interim ones too) on stderr
//   -T SECS   give up when connecting, or waiting for the server to take
//             or send bytes, takes longer than this (default 60; "0.5" ok)
//
// The host is a dotted IPv4 address (Mote has no DNS resolver) with an
// optional port: `wget http://10.0.2.2:8000/file.bin`. One GET per
// connection (Connection: close); interim 1xx responses are skipped;
// 301, 302, 303, 307 and 308 are followed, at most 5 times, to absolute or
// relative Locations; the body may be framed by Content-Length, chunked,
// or the close. Any other status is a failure: its status line is printed.
// A file is only written for a 2xx, under FILE.part, renamed to FILE when
// the body is complete (output.hpp). The summary and every message go to
// stderr; a failure is one line, `wget: <reason>`, and the exit status
// says which kind (as GNU wget's):
//
//   0 saved   1 generic   2 usage or URL   3 file I/O   4 network
//   7 protocol error (a malformed response, too many redirects)
//   8 the server answered with an error status
//
// It needs the network capability (etc/caps: `wget net`).
#include "output.hpp"
#include "request.hpp"
#include "response_parser.hpp"
#include "runtime.hpp"
#include "url.hpp"

using namespace mote;
using namespace mote::user;
using namespace mote::wget;

namespace {

enum Exit : int {
    kOk = 0,
    kGeneric = 1,
    kUsage = 2,
    kFileError = 3,
    kNetworkError = 4,
    kProtocolError = 7,
    kServerError = 8,
};

constexpr usize kMaxRedirects = 5;
constexpr u64 kNsPerSecond = 1'000'000'000;
constexpr u64 kDefaultTimeoutNs = 60 * kNsPerSecond;
// A larger receive window than the default 64 KiB: fewer round trips.
constexpr u64 kReceiveBuffer = 256 * 1024;

struct Options {
    bool quiet = false;
    bool show_headers = false;
    u64 timeout_ns = kDefaultTimeoutNs;
    StringView output;  // empty: the URL's file name
    StringView url;
};

// Big buffers live outside the stack.
u8 g_buffer[32 * 1024];
char g_request[kMaxRequestBytes];
ResponseParser g_parser;
Url g_urls[2];
Output g_output;
// The file name taken from the URL asked for (redirects do not change it).
char g_default_name[kMaxTargetBytes];

int usage() {
    print_err("usage: wget [-O FILE|-] [-q] [-S] [-T SECONDS] URL\n");
    return kUsage;
}

// What the exchange with one server ended in.
struct Outcome {
    int exit = kOk;
    bool redirect = false;  // to g_urls[next]
};

Outcome failed(int exit) { return {exit, false}; }

void print_url_error(const Url& url, StringView what) {
    print_err("wget: http://{}{}: {}\n", url.host(), url.request_target(), what);
}

void print_head(const ResponseParser& p) {
    print_err("  {}\n", p.status_line());
    for (usize i = 0; i < p.field_count(); ++i) {
        const HeaderField f = p.field(i);
        print_err("  {}: {}\n", f.name, f.value);
    }
}

// The seconds of a timeout, for messages: "5", "0.5".
void print_timeout_error(const Url& url, StringView what, u64 timeout_ns) {
    const u64 ms = timeout_ns / 1'000'000;
    print_err("wget: {} {}: no progress for {}.{:03} s (-T)\n", what, url.host(), ms / 1000, ms % 1000);
}

// Waits until `socket` is ready for `events`, at most `timeout_ns`.
SysOr<void> wait_for(Handle socket, u32 events, u64 timeout_ns) {
    abi::PollItem item {socket, events, 0, 0};
    const usize ready = TRY(sys::poll(&item, 1, timeout_ns));
    if (ready == 0) return abi::Err::Timeout;
    return {};
}

SysOr<void> send_all(Handle socket, StringView bytes, u64 timeout_ns) {
    usize done = 0;
    while (done < bytes.length()) {
        TRY(wait_for(socket, abi::kPollWritable | abi::kPollHangup, timeout_ns));
        const usize n = TRY(sys::write(socket, bytes.data() + done, bytes.length() - done));
        if (n == 0) return abi::Err::PeerClosed;
        done += n;
    }
    return {};
}

void print_network_error(const Url& url, StringView what, abi::Err error, u64 timeout_ns) {
    if (error == abi::Err::Timeout) {
        print_timeout_error(url, what, timeout_ns);
    } else if (error == abi::Err::PeerClosed) {
        // A connect refused, or a connection reset.
        print_err("wget: {} {}: {}\n", what, url.host(),
                  what == "connect to" ? "connection refused" : "connection reset by the server");
    } else {
        print_err("wget: {} {}: {}\n", what, url.host(), error);
    }
}

// The final head came: decides what to do with the response. Returns
// false when the exchange ends here (outcome set).
bool on_head(const Options& options, const Url& url, Url& next, Outcome& outcome) {
    const u16 status = g_parser.status();
    if (status >= 200 && status < 300) {
        if (g_output.is_open()) return true;
        const StringView name = options.output;
        auto opened = g_output.open(name);
        if (opened.is_error()) {
            print_err("wget: {}: {}\n", name, opened.error());
            outcome = failed(kFileError);
            return false;
        }
        return true;
    }
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        StringView location;
        const usize count = g_parser.find("location", location);
        if (count != 1) {
            print_url_error(url, count == 0 ? StringView("a redirect without a Location")
                                            : StringView("a redirect with more than one Location"));
            outcome = failed(kProtocolError);
            return false;
        }
        const UrlFault fault = resolve_reference(url, location, next);
        if (fault != UrlFault::None) {
            print_err("wget: redirected to {}: {}\n", location, url_fault_text(fault));
            outcome = failed(kProtocolError);
            return false;
        }
        if (!options.quiet)
            print_err("wget: {} {} -> http://{}{}\n", status, g_parser.reason(), next.host(), next.request_target());
        outcome = {kOk, true};
        return false;
    }
    print_url_error(url, g_parser.status_line());
    outcome = failed(kServerError);
    return false;
}

// Feeds `bytes` (empty with `closed`: the peer ended) to the parser and
// acts on each step. Returns false when the exchange ended (outcome set).
bool on_bytes(const Options& options, const Url& url, Url& next, StringView bytes, bool closed, Outcome& outcome) {
    while (true) {
        const Step step = closed ? g_parser.finish() : g_parser.feed(bytes);
        if (!closed) bytes = bytes.substr(step.consumed);
        switch (step.event) {
        case Event::NeedMore: return true;
        case Event::Interim:
            if (options.show_headers) print_head(g_parser);
            break;
        case Event::Head:
            if (options.show_headers) print_head(g_parser);
            if (!on_head(options, url, next, outcome)) return false;
            break;
        case Event::Body: {
            auto wrote = g_output.write(step.body);
            if (wrote.is_error()) {
                print_err("wget: {}: {}\n", g_output.to_stdout() ? StringView("stdout") : g_output.name(),
                          wrote.error());
                outcome = failed(kFileError);
                return false;
            }
            break;
        }
        case Event::End:
            outcome = {kOk, false};
            return false;
        case Event::Error: {
            const ResponseFault fault = g_parser.fault();
            if (fault == ResponseFault::TruncatedBody) {
                char text[160];
                FormatBuffer b(Span<char>(text, sizeof(text)));
                format_append(b, "{} ({} of {} bytes)", response_fault_text(fault), g_parser.body_bytes(),
                              g_parser.content_length());
                print_url_error(url, b.view());
            } else {
                print_url_error(url, response_fault_text(fault));
            }
            outcome = failed(fault == ResponseFault::NoResponse ? kNetworkError : kProtocolError);
            return false;
        }
        }
        if (closed) return true;  // finish() said all it has to say
    }
}

// One GET of `url` on a connection of its own.
Outcome exchange(const Options& options, const Url& url, Url& next) {
    g_parser.reset();
    auto made = sys::socket(net_cap(), abi::SocketKind::Tcp);
    if (made.is_error()) {
        print_err("wget: socket: {}\n", made.error());
        return failed(kNetworkError);
    }
    const Handle socket = made.value();
    (void)sys::socket_option(socket, abi::SocketOption::ReceiveBuffer, kReceiveBuffer);
    Outcome outcome;
    const u64 timeout = options.timeout_ns;
    auto connected = sys::connect(socket, {url.address, url.port, 0}, timeout);
    if (connected.is_error()) {
        print_network_error(url, "connect to", connected.error(), timeout);
        (void)sys::close(socket);
        return failed(kNetworkError);
    }
    const usize length = write_request(url, Span<char>(g_request, sizeof(g_request)));
    VERIFY(length > 0);
    auto sent = send_all(socket, StringView(g_request, length), timeout);
    if (sent.is_error()) {
        print_network_error(url, "send to", sent.error(), timeout);
        (void)sys::close(socket);
        return failed(kNetworkError);
    }
    while (true) {
        auto ready = wait_for(socket, abi::kPollReadable | abi::kPollHangup, timeout);
        auto got = ready.is_error() ? SysOr<usize>(ready.error()) : sys::read(socket, g_buffer, sizeof(g_buffer));
        if (got.is_error()) {
            print_network_error(url, "receive from", got.error(), timeout);
            outcome = failed(kNetworkError);
            break;
        }
        const StringView bytes(reinterpret_cast<const char*>(g_buffer), got.value());
        if (!on_bytes(options, url, next, bytes, got.value() == 0, outcome)) break;
        if (got.value() == 0) break;  // finish() always decides; not reached
    }
    (void)sys::close(socket);
    return outcome;
}

bool parse_options(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const StringView word(argv[i]);
        if (word.length() < 2 || word[0] != '-') {
            if (!options.url.empty()) return false;
            options.url = word;
            continue;
        }
        for (usize at = 1; at < word.length(); ++at) {
            const char flag = word[at];
            if (flag == 'q') {
                options.quiet = true;
            } else if (flag == 'S') {
                options.show_headers = true;
            } else if (flag == 'O' || flag == 'T') {
                // The value is the rest of this word, or the next word.
                StringView value = word.substr(at + 1);
                if (value.empty()) {
                    if (++i == argc) return false;
                    value = StringView(argv[i]);
                }
                if (flag == 'O') {
                    options.output = value;
                } else {
                    auto seconds = parse_seconds(value);
                    if (seconds.is_error() || seconds.value() == 0) {
                        print_err("wget: -T {}: not a number of seconds\n", value);
                        return false;
                    }
                    options.timeout_ns = seconds.value();
                }
                break;
            } else {
                return false;
            }
        }
    }
    return !options.url.empty();
}

void print_summary(u64 bytes, u64 ns) {
    if (ns == 0) ns = 1;
    const u64 ms = ns / 1'000'000;
    // KiB/s in integers: exact, and no rounding to explain.
    const u64 rate = bytes > ~u64(0) / kNsPerSecond ? bytes / (ns / kNsPerSecond + 1) / 1024
                                                     : bytes * kNsPerSecond / ns / 1024;
    print_err("wget: {} bytes to {} in {}.{:03} s ({} KiB/s)\n", bytes,
              g_output.to_stdout() ? StringView("stdout") : g_output.name(), ms / 1000, ms % 1000, rate);
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse_options(argc, argv, options)) return usage();
    const UrlFault fault = parse_url(options.url, g_urls[0]);
    if (fault != UrlFault::None) {
        print_err("wget: {}: {}\n", options.url, url_fault_text(fault));
        return kUsage;
    }
    if (options.output.empty()) {
        const StringView name = default_file_name(g_urls[0]);
        mem_copy(g_default_name, name.data(), name.length());
        options.output = StringView(g_default_name, name.length());
    }
    if (net_cap() == kNoHandle) {
        print_err("wget: no network capability (etc/caps: wget net)\n");
        return kGeneric;
    }
    const u64 start = sys::clock();
    usize current = 0;
    for (usize redirects = 0;; ++redirects) {
        Url& url = g_urls[current];
        Url& next = g_urls[current ^ 1];
        const Outcome outcome = exchange(options, url, next);
        if (outcome.exit != kOk) {
            g_output.discard();
            return outcome.exit;
        }
        if (!outcome.redirect) break;
        if (redirects == kMaxRedirects) {
            print_err("wget: more than {} redirects\n", kMaxRedirects);
            return kProtocolError;
        }
        current ^= 1;
    }
    const u64 bytes = g_output.written();
    auto committed = g_output.commit();
    if (committed.is_error()) {
        print_err("wget: {}: {}\n", g_output.name(), committed.error());
        return kFileError;
    }
    if (!options.quiet) print_summary(bytes, sys::clock() - start);
    return kOk;
}
