// udpecho [PORT]: the UDP echo service (RFC 862) as a program: every
// datagram that arrives on PORT (default 7) goes back to its sender,
// byte for byte. It needs the network capability (etc/caps).
#include "parse.hpp"
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// One datagram with its header, as read() fills it and write() takes it.
struct Datagram {
    abi::DatagramHeader header;
    u8 payload[abi::kDatagramMax];
};

Datagram g_datagram;

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2) {
        print_err("usage: udpecho [PORT]\n");
        return 2;
    }
    u16 port = 7;
    if (argc == 2) {
        auto parsed = parse_port(argv[1]);
        if (parsed.is_error()) {
            print_err("udpecho: {}: not a port ({})\n", argv[1], parsed.error());
            return 2;
        }
        port = parsed.value();
    }
    auto socket = sys::socket(net_cap(), abi::SocketKind::Udp);
    if (socket.is_error()) {
        print_err("udpecho: socket: {} (is the network capability here? etc/caps)\n", socket.error());
        return 1;
    }
    const Handle s = socket.value();
    if (auto bound = sys::bind(s, {0, port, 0}); bound.is_error()) {
        print_err("udpecho: port {}: {}\n", port, bound.error());
        return 1;
    }
    print_out("udpecho: echoing on UDP port {}\n", port);
    for (;;) {
        auto got = sys::read(s, &g_datagram, sizeof(g_datagram));
        if (got.is_error()) {
            print_err("udpecho: read: {}\n", got.error());
            return 1;
        }
        // Back to the sender, whom the header already names (the buffer
        // holds the largest datagram whole). A datagram that cannot go back
        // (no route) is dropped, as UDP drops.
        (void)sys::write(s, &g_datagram, got.value());
    }
}
