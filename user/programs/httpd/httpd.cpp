// httpd [-p PORT] [DIR]: serves the files below DIR (a directory relative to
// the working directory, "/x" below the root; the root itself when none is
// named) over HTTP/1.1 on TCP port PORT (80), until its poll is cancelled
// (Signal::Cancel), when it prints what it did and exits 0.
//
//     httpd: serving / on port 80
//
// GET and HEAD of files (with Range, If-Modified-Since, If-Range) and of
// directories (their index.html, or a listing); keep-alive and pipelining;
// everything else gets the status RFC 9110 gives it. It needs the network
// capability (etc/caps: `httpd net`). One process, one thread, one poll()
// over the listener and every connection (http_server.hpp); what each
// connection does is pure logic (http_connection.hpp, responder.hpp),
// tested on the host. Nothing is printed per request: a console line costs
// more than the request.
#include "http_server.hpp"
#include "runtime.hpp"
#include "sys_file_source.hpp"
#include "sys_server_host.hpp"
#include "wall_clock.hpp"

using namespace mote;
using namespace mote::user;
using namespace mote::httpd;

namespace {

// Connections the kernel may hold complete before httpd accepts them (and
// as many half-open): enough for a burst of clients arriving at once.
// Beyond the connection table they are accepted anyway, to be told 503.
constexpr u32 kBacklog = 64;

int usage() {
    print_err("usage: httpd [-p PORT] [DIR]\n");
    return 2;
}

void print_summary(const HttpCounters& c) {
    print_out("httpd: {} connections ({} refused), {} requests: {} 2xx, {} 3xx, {} 4xx, {} 5xx; {} bytes sent; "
              "{} timed out, {} closed idle, {} dropped\n",
              c.connections, c.refused, c.requests, c.responses[2], c.responses[3], c.responses[4], c.responses[5],
              c.bytes_sent, c.header_timeouts, c.idle_closes, c.aborted);
}

}  // namespace

int main(int argc, char** argv) {
    u16 port = 80;
    StringView directory;
    for (int i = 1; i < argc; ++i) {
        StringView word(argv[i]);
        if (word == "-p") {
            if (i + 1 == argc) return usage();
            auto number = parse_u64(StringView(argv[++i]));
            if (number.is_error() || number.value() == 0 || number.value() > 65535) {
                print_err("httpd: bad port: {}\n", argv[i]);
                return 2;
            }
            port = u16(number.value());
        } else if (word.starts_with("-") || !directory.empty()) {
            return usage();
        } else {
            directory = word;
        }
    }

    Handle root = root_dir();
    Handle served = root;
    if (!directory.empty()) {
        PathAt at = resolve_path(directory);
        auto opened = sys::open(at.dir, at.path, abi::kOpenRead | abi::kOpenDirectory);
        if (opened.is_error()) {
            print_err("httpd: {}: {}\n", directory, opened.error());
            return 1;
        }
        served = opened.value();
    } else if (served == kNoHandle) {
        print_err("httpd: no root directory to serve\n");
        return 1;
    }

    Handle net = net_cap();
    if (net == kNoHandle) {
        print_err("httpd: no network capability (etc/caps: httpd net)\n");
        return 1;
    }
    auto listener = sys::socket(net, abi::SocketKind::Tcp);
    if (listener.is_error()) {
        print_err("httpd: socket: {}\n", listener.error());
        return 1;
    }
    auto bound = sys::bind(listener.value(), abi::SocketAddress {0, port, 0});
    if (bound.is_error()) {
        print_err("httpd: port {}: {}\n", port, bound.error());
        return 1;
    }
    auto listening = sys::listen(listener.value(), kBacklog);
    if (listening.is_error()) {
        print_err("httpd: listen: {}\n", listening.error());
        return 1;
    }
    print_out("httpd: serving {} on port {}\n", directory.empty() ? StringView("/") : directory, port);
    const WallClock clock = WallClock::read(root);
    if (!clock.known()) print_out("httpd: no real-time clock: Date and Last-Modified count from boot as 1970\n");

    SysFileSource files(served);
    SysServerHost host(listener.value(), clock);
    ServerConfig config;
    HttpServer server(host, files, listener.value(), config);
    while (server.run_once()) {
    }
    print_summary(server.counters());
    if (server.last_error() != Error::Cancelled) {
        print_err("httpd: poll: {}\n", error_name(server.last_error()));
        return 1;
    }
    return 0;
}
