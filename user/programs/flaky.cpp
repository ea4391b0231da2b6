// flaky PORT COUNT: a UDP echo service that stops answering. It echoes the
// first COUNT datagrams that arrive on PORT, then stops reading and sleeps
// for ever: it is still running, but no longer answers, as a wedged service
// would. tests/qemu/test_services.py runs it under init's health check
// (etc/test-services), which must notice, stop it and start it again.
#include "runtime.hpp"

using namespace mote;
using namespace mote::user;

namespace {

struct Datagram {
    abi::DatagramHeader header;
    u8 payload[abi::kDatagramMax];
};

Datagram g_datagram;

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        print_err("usage: flaky PORT COUNT\n");
        return 2;
    }
    auto port = parse_port(argv[1]);
    auto count = parse_u64(argv[2]);
    if (port.is_error() || count.is_error()) {
        print_err("flaky: bad PORT or COUNT\n");
        return 2;
    }
    auto socket = sys::socket(net_cap(), abi::SocketKind::Udp);
    if (socket.is_error()) {
        print_err("flaky: socket: {}\n", socket.error());
        return 1;
    }
    if (auto bound = sys::bind(socket.value(), {0, port.value(), 0}); bound.is_error()) {
        print_err("flaky: port {}: {}\n", port.value(), bound.error());
        return 1;
    }
    print_out("flaky: echoing {} datagrams on UDP port {}, then hanging\n", count.value(), port.value());
    for (u64 i = 0; i < count.value(); ++i) {
        auto got = sys::read(socket.value(), &g_datagram, sizeof(g_datagram));
        if (got.is_error()) return 1;
        (void)sys::write(socket.value(), &g_datagram, got.value());
    }
    print_out("flaky: answered {}; hanging now\n", count.value());
    for (;;) (void)sys::sleep(~u64(0) >> 2);
}
