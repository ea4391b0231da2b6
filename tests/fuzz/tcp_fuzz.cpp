// Drives the TCP layer with arbitrary segments and user calls: a listener
// on port 80, connections it accepts, an active connection, and a clock
// the input moves. Any crash, sanitizer report or VERIFY failure is a bug;
// once the user has closed everything and time has passed, every
// connection must be back with its source.
//
// Input: records of [op][length][length bytes]:
//   0  a segment from 10.0.2.2 to 10.0.2.15 (checksums not verified, so
//      mutations reach the state machine)
//   1  time passes: bytes[0] * 10 ms, then due timers run
//   2  write the bytes on every open connection
//   3  read everything readable
//   4  close the oldest accepted connection
//   5  open a connection to 10.0.2.2:80 (from port 50000, the seeds' port)
//   6  shutdown_write on the active connection
#include <stddef.h>
#include <stdint.h>

#include <vector>

#include "net/tcp/tcp.hpp"

using namespace mote;

namespace {

const Ipv4Address kPeer {0x0a000202};
const Ipv4Address kMote {0x0a00020f};

struct Harness final : TcpLink {
    Nanoseconds time = kSecond;
    usize live = 0;
    std::vector<std::vector<u8>> storage;

    Nanoseconds now() override { return time; }
    Result<void> send_segment(const TcpTuple& tuple, const TcpSegment& segment) override {
        u8 bytes[TcpSegment::kMaxHeaderSize + 70000];
        auto n = write_tcp_segment(Bytes(bytes, sizeof bytes), segment, tuple.local, tuple.remote);
        if (n.is_error()) __builtin_trap();  // Mote must never build a segment it cannot encode
        return {};
    }
    // Connections keep their memory block in a side table.
    void release_connection(TcpConnection& connection) {
        --live;
        for (auto& [c, memory] : blocks)
            if (c == &connection) {
                delete &connection;
                delete[] memory;
                c = nullptr;
                return;
            }
        __builtin_trap();
    }
    std::vector<std::pair<TcpConnection*, u8*>> blocks;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const u8 kSecret[Tcp::kSecretSize] = {1, 2, 3};
    Harness h;
    struct Source final : TcpConnectionSource {
        Harness& h;
        explicit Source(Harness& harness) : h(harness) {}
        TcpConnection* allocate_connection(Tcp& tcp, const TcpOptionsConfig& config) override {
            if (h.live >= 8) return nullptr;
            ++h.live;
            auto* memory = new u8[2048 + 3000];  // small rings: windows fill and wrap often
            auto* c = new TcpConnection(tcp, Bytes(memory, 2048), Bytes(memory + 2048, 3000), config);
            h.blocks.push_back({c, memory});
            return c;
        }
        void release_connection(TcpConnection& connection) override { h.release_connection(connection); }
    } source(h);
    Tcp tcp(h, source, ReadonlyBytes(kSecret, sizeof kSecret));
    TcpListener listener(nullptr, 3);
    if (tcp.listen(listener, Ipv4Address {}, 80).is_error()) __builtin_trap();
    std::vector<TcpConnection*> mine;  // accepted or opened, not yet closed
    TcpConnection* active = nullptr;

    usize i = 0;
    while (i + 2 <= size) {
        const u8 op = data[i] % 7;
        const usize length = data[i + 1] + (op == 0 || op == 2 ? usize(data[i + 1]) * 4 : 0);
        i += 2;
        const usize n = length < size - i ? length : size - i;
        ReadonlyBytes bytes(data + i, n);
        i += n;
        switch (op) {
        case 0: tcp.receive(bytes, kPeer, kMote, false); break;
        case 1:
            h.time += (n ? bytes.data()[0] : 1) * 10 * kMillisecond;
            if (tcp.next_deadline() <= h.time) tcp.on_timer();
            break;
        case 2:
            for (TcpConnection* c : mine) (void)c->write(bytes);
            break;
        case 3: {
            u8 sink[4096];
            for (TcpConnection* c : mine) (void)c->read(Bytes(sink, sizeof sink));
            break;
        }
        case 4:
            if (!mine.empty()) {
                if (mine.front() == active) active = nullptr;
                mine.front()->close();
                mine.erase(mine.begin());
            }
            break;
        case 5:
            if (!active) {
                auto c = tcp.connect(kMote, 50000, kPeer, 80, {}, nullptr);
                if (!c.is_error()) {
                    active = c.value();
                    mine.push_back(active);
                }
            }
            break;
        case 6:
            if (active) active->shutdown_write();
            break;
        }
        while (TcpConnection* c = listener.accept()) mine.push_back(c);
    }
    for (TcpConnection* c : mine) c->abort();
    for (TcpConnection* c : mine) c->close();
    tcp.unlisten(listener);
    // Connections the user closed may still be finishing their handshake
    // (an orphan waits at most 2 MSL for the peer, retransmits give up in
    // minutes): let the silent peer's time pass until they are done.
    for (int step = 0; step < 1000 && tcp.connection_count(); ++step) {
        const Nanoseconds next = tcp.next_deadline();
        if (next == kNoDeadline) break;
        if (next > h.time) h.time = next;
        tcp.on_timer();
    }
    tcp.on_timer();
    if (h.live != 0) __builtin_trap();  // every connection went back to its source
    return 0;
}
