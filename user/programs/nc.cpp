// nc: TCP from the command line.
//
//   nc ADDRESS PORT      connects; what is typed goes to the peer and what
//                        the peer sends is printed, until the peer ends
//   nc -l PORT           listens on PORT and does the same with the first
//                        connection that arrives
//   nc -l -k PORT        ... and then with the next, for ever
//   -e                   echo: send back whatever arrives (with -l -k, a
//                        TCP echo service)
//   -d                   discard: a byte sink; reads to the peer's end
//   -s SIZE              a byte source: sends SIZE bytes (4k, 64M ...),
//                        ends its side, reads to the peer's end
//   With -d or -s, nc reports the bytes moved, the time from the
//   connection to the peer's end and the rate (bulk TCP benchmarks:
//   tools/bench_tcp.py), and asks for 512 KiB rings (the window) instead
//   of the default 64 KiB.
//
// It needs the network capability (etc/caps gives it to sh, which passes
// it on: `+net nc ...` if the shell's line does not list nc).
#include "parse.hpp"
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

u8 g_buffer[64 * 1024];  // 64 KiB per read or write, as the Linux side's dd (bench_tcp.py)
// The rings -d and -s ask for (the kernel allows 4 KiB .. 1 MiB).
constexpr u64 kBulkRing = 512 * 1024;

// Writes all of `length` bytes (a socket write takes what fits).
SysOr<void> write_all(Handle handle, const u8* bytes, usize length) {
    while (length) {
        const usize n = TRY(sys::write(handle, bytes, length));
        bytes += n;
        length -= n;
    }
    return {};
}

// Sends back everything that arrives until the peer ends; bytes echoed.
SysOr<u64> echo(Handle socket) {
    u64 total = 0;
    while (true) {
        const usize n = TRY(sys::read(socket, g_buffer, sizeof(g_buffer)));
        if (n == 0) break;
        TRY(write_all(socket, g_buffer, n));
        total += n;
    }
    TRY(sys::shutdown(socket, abi::kShutdownWrite));
    return total;
}

// Typed bytes to the peer, the peer's bytes to the console, until the
// peer's end of stream.
SysOr<void> talk(Handle socket) {
    bool input_open = true;
    while (true) {
        abi::PollItem items[2] = {{socket, abi::kPollReadable, 0, 0}, {std_in(), abi::kPollReadable, 0, 0}};
        TRY(sys::poll(items, input_open ? 2 : 1, kForever));
        if (items[0].ready) {
            const usize n = TRY(sys::read(socket, g_buffer, sizeof(g_buffer)));
            if (n == 0) return {};
            TRY(write_all(std_out(), g_buffer, n));
        }
        if (input_open && items[1].ready) {
            const usize n = TRY(sys::read(std_in(), g_buffer, sizeof(g_buffer)));
            if (n == 0) {
                input_open = false;  // our end: the peer may still answer
                TRY(sys::shutdown(socket, abi::kShutdownWrite));
            } else {
                TRY(write_all(socket, g_buffer, n));
            }
        }
    }
}

// Reads and drops everything until the peer ends; bytes read.
SysOr<u64> discard(Handle socket) {
    u64 total = 0;
    while (true) {
        const usize n = TRY(sys::read(socket, g_buffer, sizeof(g_buffer)));
        if (n == 0) return total;
        total += n;
    }
}

// Sends `size` bytes, ends our side, then drains what the peer sends (a
// sink that closes) so the time covers the last byte's acknowledgment.
SysOr<u64> source(Handle socket, u64 size) {
    for (usize i = 0; i < sizeof(g_buffer); ++i) g_buffer[i] = u8('a' + i % 26);
    u64 sent = 0;
    while (sent < size) {
        const usize chunk = size - sent < sizeof(g_buffer) ? usize(size - sent) : sizeof(g_buffer);
        TRY(write_all(socket, g_buffer, chunk));
        sent += chunk;
    }
    TRY(sys::shutdown(socket, abi::kShutdownWrite));
    TRY(discard(socket));
    return sent;
}

enum class Mode : u8 { Talk, Echo, Discard, Source };

SysOr<void> serve(Handle socket, Mode mode, u64 size) {
    if (mode == Mode::Talk) return talk(socket);
    const u64 start = sys::clock();
    u64 bytes = 0;
    switch (mode) {
    case Mode::Echo: bytes = TRY(echo(socket)); break;
    case Mode::Discard: bytes = TRY(discard(socket)); break;
    case Mode::Source: bytes = TRY(source(socket, size)); break;
    case Mode::Talk: break;
    }
    if (mode == Mode::Echo) return {};
    const u64 us = (sys::clock() - start) / 1000;
    const u64 kb_per_s = us ? bytes * 1'000'000 / us / 1000 : 0;
    print_err("nc: {} {} bytes in {} us ({}.{} MB/s)\n", mode == Mode::Source ? "sent" : "received", bytes, us,
              kb_per_s / 1000, (kb_per_s % 1000) / 100);
    return {};
}

int usage() {
    print_err("usage: nc [-e | -d | -s SIZE] ADDRESS PORT | nc [-e | -d | -s SIZE] [-k] -l PORT\n");
    return 2;
}

void say_address(const char* what, const abi::SocketAddress& a) {
    print_err("nc: {} {}.{}.{}.{}:{}\n", what, a.address >> 24, (a.address >> 16) & 255, (a.address >> 8) & 255,
              a.address & 255, a.port);
}

}  // namespace

int main(int argc, char** argv) {
    bool listen = false, keep = false;
    Mode mode = Mode::Talk;
    u64 size = 0;
    int at = 1;
    auto set_mode = [&](Mode m) {
        if (mode != Mode::Talk && mode != m) return false;  // one of -e, -d, -s
        mode = m;
        return true;
    };
    for (; at < argc && argv[at][0] == '-' && argv[at][1]; ++at) {
        for (const char* flag = argv[at] + 1; *flag; ++flag) {
            if (*flag == 'l') listen = true;
            else if (*flag == 'k') keep = true;
            else if (*flag == 'e' && set_mode(Mode::Echo)) continue;
            else if (*flag == 'd' && set_mode(Mode::Discard)) continue;
            else if (*flag == 's' && !flag[1] && at + 1 < argc && set_mode(Mode::Source)) {
                auto parsed = parse_size(StringView(argv[++at]));
                if (parsed.is_error()) {
                    print_err("nc: -s {}: not a size ({})\n", argv[at], parsed.error());
                    return 2;
                }
                size = parsed.value();
                break;
            } else {
                return usage();
            }
        }
    }
    if (keep && !listen) return usage();
    if (argc - at != (listen ? 1 : 2)) return usage();
    auto port = parse_port(argv[argc - 1]);
    if (port.is_error()) {
        print_err("nc: {}: not a port ({})\n", argv[argc - 1], port.error());
        return 2;
    }
    auto socket = sys::socket(net_cap(), abi::SocketKind::Tcp);
    if (socket.is_error()) {
        print_err("nc: socket: {} (is the network capability here? etc/caps)\n", socket.error());
        return 1;
    }
    const Handle s = socket.value();
    // A bulk transfer wants a window beyond the default 64 KiB ring, as a
    // benchmark tool asks for one (iperf -w): the sink a larger receive
    // ring, the source a larger send ring (set before connect or listen,
    // so the connection gets them).
    if (mode == Mode::Discard) (void)sys::socket_option(s, abi::SocketOption::ReceiveBuffer, kBulkRing);
    if (mode == Mode::Source) (void)sys::socket_option(s, abi::SocketOption::SendBuffer, kBulkRing);

    if (!listen) {
        auto address = parse_ipv4(argv[at]);
        if (address.is_error()) {
            print_err("nc: {}: not an IPv4 address\n", argv[at]);
            return 2;
        }
        auto connected = sys::connect(s, {address.value(), port.value(), 0}, 10 * 1'000'000'000ull);
        if (connected.is_error()) {
            print_err("nc: connect to {}:{}: {}\n", argv[at], port.value(), connected.error());
            return 1;
        }
        auto done = serve(s, mode, size);
        if (done.is_error()) {
            print_err("nc: {}\n", done.error());
            return 1;
        }
        return 0;
    }

    auto bound = sys::bind(s, {0, port.value(), 0});
    if (bound.ok()) bound = sys::listen(s, 16);
    if (bound.is_error()) {
        print_err("nc: listen on port {}: {}\n", port.value(), bound.error());
        return 1;
    }
    print_err("nc: listening on port {}\n", port.value());
    do {
        abi::SocketAddress peer {};
        auto accepted = sys::accept(s, &peer);
        if (accepted.is_error()) {
            print_err("nc: accept: {}\n", accepted.error());
            return 1;
        }
        say_address("connection from", peer);
        auto done = serve(accepted.value(), mode, size);
        if (done.is_error()) print_err("nc: {}\n", done.error());
        (void)sys::close(accepted.value());
    } while (keep);
    return 0;
}
