// Two Mote TCP layers over a simulated link that loses, duplicates,
// reorders and delays segments (seeded): data must arrive byte-exact in
// both directions at once, and the connection must close cleanly.
#include <gtest/gtest.h>

#include "support/tcp_sim.hpp"

using namespace mote;
using namespace mote::test;

namespace {

const Ipv4Address kClient {0x0a000202};
const Ipv4Address kServer {0x0a00020f};

// The byte at `index` of the stream with `seed`: not periodic in any
// window size, so a misplaced segment cannot go unnoticed.
u8 pattern(u32 seed, u64 index) {
    u64 x = (index + 1) * 0x9e3779b97f4a7c15ull ^ seed;
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ull;
    return u8(x >> 32);
}

// One end of a transfer: writes `total` pattern bytes, then shuts down
// writing; reads and checks everything the other end sends until EOF.
struct End {
    TcpConnection* c = nullptr;
    u32 send_seed = 0;
    u32 receive_seed = 0;
    u64 total = 0;
    u64 sent = 0;
    u64 received = 0;
    u64 mismatches = 0;
    bool eof = false;

    void pump() {
        if (!c) return;
        u8 buffer[16384];
        while (sent < total) {
            const usize n = usize(std::min<u64>(sizeof buffer, total - sent));
            for (usize i = 0; i < n; ++i) buffer[i] = pattern(send_seed, sent + i);
            auto w = c->write(ReadonlyBytes(buffer, n));
            if (w.is_error() || w.value() == 0) break;
            sent += w.value();
        }
        if (sent == total) c->shutdown_write();
        while (!eof) {
            auto r = c->read(Bytes(buffer, sizeof buffer));
            if (r.is_error()) break;
            if (r.value() == 0) {
                eof = true;
                break;
            }
            for (usize i = 0; i < r.value(); ++i)
                if (buffer[i] != pattern(receive_seed, received + i)) ++mismatches;
            received += r.value();
        }
    }
};

struct Outcome {
    u64 client_got = 0;
    u64 server_got = 0;
    u64 mismatches = 0;
    bool done = false;
    u64 retransmits = 0;
    u64 fast_retransmits = 0;
};

Outcome transfer(double loss, u64 bytes, u32 seed) {
    TcpSim sim(seed);
    sim.faults.loss = loss;
    sim.faults.duplicate = loss / 2;
    sim.faults.reorder = loss;
    TcpHost& client = sim.add_host(kClient);
    TcpHost& server = sim.add_host(kServer);
    server.connections.send_size = server.connections.receive_size = 256 * 1024;
    client.connections.send_size = client.connections.receive_size = 256 * 1024;
    TcpListener listener(nullptr, 4);
    EXPECT_FALSE(server.tcp->listen(listener, Ipv4Address {}, 5001).is_error());
    End a, b;
    a.send_seed = b.receive_seed = 11;
    b.send_seed = a.receive_seed = 22;
    a.total = b.total = bytes;
    a.c = client.tcp->connect(kClient, 0, kServer, 5001, {}, nullptr).value();
    Outcome result;
    result.done = sim.run_until(
        [&] {
            if (!b.c) b.c = listener.accept();
            a.pump();
            b.pump();
            return a.eof && b.eof && a.c->send_queued() == 0 && b.c->send_queued() == 0;
        },
        3600 * kSecond);
    result.client_got = a.received;
    result.server_got = b.received;
    result.mismatches = a.mismatches + b.mismatches;
    result.retransmits = client.tcp->counters.retransmits + server.tcp->counters.retransmits;
    result.fast_retransmits = client.tcp->counters.fast_retransmits + server.tcp->counters.fast_retransmits;
    // Both closed their halves: the handshake finishes, everything is
    // released, and the active closer(s) hold TIME-WAIT.
    a.c->close();
    if (b.c) b.c->close();
    sim.run_for(5 * kSecond);
    EXPECT_EQ(client.connections.live, 0u);
    EXPECT_EQ(server.connections.live, 0u);
    EXPECT_GE(client.tcp->time_wait_count() + server.tcp->time_wait_count(), 1u);
    server.tcp->unlisten(listener);
    return result;
}

}  // namespace

TEST(TcpTransfer, TenMebibytesEachWayOverAPerfectLink) {
    const u64 bytes = 10 << 20;
    Outcome r = transfer(0, bytes, 1);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.client_got, bytes);
    EXPECT_EQ(r.server_got, bytes);
    EXPECT_EQ(r.mismatches, 0u);
    EXPECT_EQ(r.retransmits, 0u);
}

TEST(TcpTransfer, TenMebibytesEachWayAtOnePercentLoss) {
    const u64 bytes = 10 << 20;
    Outcome r = transfer(0.01, bytes, 2);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.client_got, bytes);
    EXPECT_EQ(r.server_got, bytes);
    EXPECT_EQ(r.mismatches, 0u);
    EXPECT_GT(r.fast_retransmits, 0u);
}

TEST(TcpTransfer, TenMebibytesEachWayAtFivePercentLoss) {
    const u64 bytes = 10 << 20;
    Outcome r = transfer(0.05, bytes, 3);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.client_got, bytes);
    EXPECT_EQ(r.server_got, bytes);
    EXPECT_EQ(r.mismatches, 0u);
    EXPECT_GT(r.retransmits, 0u);
}
