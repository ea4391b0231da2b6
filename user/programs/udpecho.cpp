// udpecho [PORT]: the UDP echo service (RFC 862) as a program: every
// datagram that arrives on PORT (default 7) goes back to its sender,
// byte for byte. It needs the network capability (etc/caps).
//
// It runs on the submission ring: kSlots reads wait in the kernel at once,
// and one ring_enter hands back every datagram that arrived meanwhile and
// sends the echoes of the previous batch, so a busy echo costs one trap
// per batch instead of a read and a write per datagram. Each slot cycles
// read -> write -> read.
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

constexpr u32 kSlots = 16;
constexpr u32 kRingEntries = 64;  // a power of two above 2 * kSlots
constexpr u64 kWriting = u64(1) << 32;  // user_data: slot, and whether it was the write

Datagram g_datagrams[kSlots];

struct Ring {
    abi::RingHeader* header;
    abi::RingEntry* entries;
    abi::RingCompletion* completions;
    u32 queued = 0;  // entries filled since the last ring_enter

    void push(Handle socket, abi::Sys op, u32 slot, usize length) {
        abi::RingEntry& e = entries[(header->sq_tail + queued) & (header->entries - 1)];
        e.op = u32(op);
        e.handle = socket;
        e.arg1 = u64(uptr(&g_datagrams[slot]));
        e.arg2 = length;
        e.arg3 = 0;
        e.user_data = slot | (op == abi::Sys::Write ? kWriting : 0);
        ++queued;
    }
};

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
    auto setup = sys::ring_setup(kRingEntries);
    if (setup.is_error()) {
        print_err("udpecho: ring_setup: {}\n", setup.error());
        return 1;
    }
    Ring ring {setup.value(), nullptr, nullptr};
    ring.entries = reinterpret_cast<abi::RingEntry*>(reinterpret_cast<u8*>(ring.header) + ring.header->sq_offset);
    ring.completions =
        reinterpret_cast<abi::RingCompletion*>(reinterpret_cast<u8*>(ring.header) + ring.header->cq_offset);
    for (u32 slot = 0; slot < kSlots; ++slot) ring.push(s, abi::Sys::Read, slot, sizeof(Datagram));
    print_out("udpecho: echoing on UDP port {}\n", port);
    for (;;) {
        ring.header->sq_tail += ring.queued;
        auto entered = sys::ring_enter(ring.queued, 1);
        ring.queued = 0;
        if (entered.is_error()) {
            print_err("udpecho: ring_enter: {}\n", entered.error());
            return 1;
        }
        const u32 mask = ring.header->entries - 1;
        for (u32 head = ring.header->cq_head; head != ring.header->cq_tail; ++head) {
            const abi::RingCompletion done = ring.completions[head & mask];
            ring.header->cq_head = head + 1;
            const u32 slot = u32(done.user_data);
            if (slot >= kSlots) continue;
            if (done.user_data & kWriting) {
                // Sent, or dropped as UDP drops (no route): read again.
                ring.push(s, abi::Sys::Read, slot, sizeof(Datagram));
            } else if (done.result < 0) {
                print_err("udpecho: read: {}\n", abi::Err(-done.result));
                return 1;
            } else {
                // Back to the sender, whom the header already names.
                ring.push(s, abi::Sys::Write, slot, usize(done.result));
            }
        }
    }
}
