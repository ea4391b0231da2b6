// nc: TCP from the command line.
//
//   nc ADDRESS PORT      connects; what is typed goes to the peer and what
//                        the peer sends is printed, until the peer ends
//   nc -l PORT           listens on PORT and does the same with the first
//                        connection that arrives
//   nc -l -k PORT        ... and then with the next, for ever
//   -e                   echo: send back whatever arrives (with -l -k, a
//                        TCP echo service)
//
// It needs the network capability (etc/caps gives it to sh, which passes
// it on: `+net nc ...` if the shell's line does not list nc).
#include "parse.hpp"
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

u8 g_buffer[16 * 1024];

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

SysOr<void> serve(Handle socket, bool echoing) {
    if (!echoing) return talk(socket);
    TRY(echo(socket));
    return {};
}

int usage() {
    print_err("usage: nc [-e] ADDRESS PORT | nc [-e] [-k] -l PORT\n");
    return 2;
}

void say_address(const char* what, const abi::SocketAddress& a) {
    print_err("nc: {} {}.{}.{}.{}:{}\n", what, a.address >> 24, (a.address >> 16) & 255, (a.address >> 8) & 255,
              a.address & 255, a.port);
}

}  // namespace

int main(int argc, char** argv) {
    bool listen = false, keep = false, echoing = false;
    int at = 1;
    for (; at < argc && argv[at][0] == '-' && argv[at][1]; ++at) {
        for (const char* flag = argv[at] + 1; *flag; ++flag) {
            if (*flag == 'l') listen = true;
            else if (*flag == 'k') keep = true;
            else if (*flag == 'e') echoing = true;
            else return usage();
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
        auto done = serve(s, echoing);
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
        auto done = serve(accepted.value(), echoing);
        if (done.is_error()) print_err("nc: {}\n", done.error());
        (void)sys::close(accepted.value());
    } while (keep);
    return 0;
}
