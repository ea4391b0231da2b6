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

namespace {

struct Pair {
    TcpSim sim;
    TcpHost& a;
    TcpHost& b;
    Pair() : a(sim.add_host(kClient)), b(sim.add_host(kServer)) {}
};

}  // namespace

TEST(TcpTransfer, SimultaneousOpenAndSimultaneousClose) {
    Pair p;
    CountingUser ua, ub;
    // Both sides open towards each other at the same instant: the SYNs
    // cross (RFC 9293 figure 8).
    TcpConnection* a = p.a.tcp->connect(kClient, 5000, kServer, 6000, {}, &ua).value();
    TcpConnection* b = p.b.tcp->connect(kServer, 6000, kClient, 5000, {}, &ub).value();
    ASSERT_TRUE(p.sim.run_until([&] { return a->state() == TcpState::Established && b->state() == TcpState::Established; },
                                10 * kSecond));
    EXPECT_GE(ua.changes, 1u);
    EXPECT_GE(ub.changes, 1u);
    // Both close at once: the FINs cross, both pass CLOSING into TIME-WAIT.
    a->close();
    b->close();
    p.sim.run_for(kSecond);
    EXPECT_EQ(p.a.connections.live, 0u);
    EXPECT_EQ(p.b.connections.live, 0u);
    EXPECT_EQ(p.a.tcp->time_wait_count(), 1u);
    EXPECT_EQ(p.b.tcp->time_wait_count(), 1u);
    // TIME-WAIT lasts 2 MSL, then the entry is gone.
    p.sim.run_for(2 * Tcp::kMsl + kSecond);
    EXPECT_EQ(p.a.tcp->time_wait_count(), 0u);
    EXPECT_EQ(p.b.tcp->time_wait_count(), 0u);
}

TEST(TcpTransfer, AZeroWindowIsProbedUntilTheReaderMakesRoom) {
    TcpListener listener(nullptr, 2);  // before the pair: outlives its Tcp
    Pair p;
    p.b.connections.receive_size = 4096;
    ASSERT_FALSE(p.b.tcp->listen(listener, Ipv4Address {}, 7).is_error());
    TcpConnection* a = p.a.tcp->connect(kClient, 0, kServer, 7, {}, nullptr).value();
    TcpConnection* b = nullptr;
    ASSERT_TRUE(p.sim.run_until([&] { return (b = b ? b : listener.accept()) != nullptr; }, 5 * kSecond));
    std::vector<u8> data(32768, 0x5a);
    usize written = 0;
    p.sim.run_until([&] {
        auto w = a->write(ReadonlyBytes(data.data() + written, data.size() - written));
        if (!w.is_error()) written += w.value();
        return false;
    }, 20 * kSecond);  // the reader reads nothing for 20 s
    EXPECT_EQ(b->readable(), 4096u);  // the window filled and closed
    EXPECT_GE(a->stats().window_probes, 2u);
    EXPECT_EQ(a->state(), TcpState::Established);  // probing never gives up
    usize got = 0;
    ASSERT_TRUE(p.sim.run_until([&] {
        if (written < data.size()) {
            auto w = a->write(ReadonlyBytes(data.data() + written, data.size() - written));
            if (!w.is_error()) written += w.value();
        }
        u8 sink[1000];
        auto r = b->read(Bytes(sink, sizeof sink));
        if (!r.is_error()) got += r.value();
        return got == data.size();
    }, 120 * kSecond));
    a->close();
    b->close();
    p.b.tcp->unlisten(listener);
    p.sim.run_for(kSecond);
    EXPECT_EQ(p.a.connections.live + p.b.connections.live, 0u);
}

TEST(TcpTransfer, KeepaliveNoticesAPeerThatVanished) {
    TcpListener listener(nullptr, 2);  // before the pair: outlives its Tcp
    Pair p;
    ASSERT_FALSE(p.b.tcp->listen(listener, Ipv4Address {}, 7).is_error());
    TcpOptionsConfig config;
    config.keepalive = true;
    config.keepalive_idle = 10 * kSecond;
    config.keepalive_interval = kSecond;
    config.keepalive_probes = 3;
    TcpConnection* a = p.a.tcp->connect(kClient, 0, kServer, 7, config, nullptr).value();
    TcpConnection* b = nullptr;
    ASSERT_TRUE(p.sim.run_until([&] { return (b = b ? b : listener.accept()) != nullptr; }, 5 * kSecond));
    // A live peer answers the probes: still open after a minute.
    p.sim.run_for(60 * kSecond);
    EXPECT_EQ(a->state(), TcpState::Established);
    EXPECT_GE(a->stats().keepalives, 5u);
    // The peer vanishes (every segment lost): idle, three probes, then gone.
    p.sim.faults.loss = 1.0;
    const Nanoseconds start = p.sim.now;
    ASSERT_TRUE(p.sim.run_until([&] { return a->state() == TcpState::Closed; }, 60 * kSecond));
    EXPECT_EQ(a->error(), Error::Timeout);
    EXPECT_LE(p.sim.now - start, 10 * kSecond + 4 * kSecond);
    a->close();
    b->abort();
    b->close();
    p.b.tcp->unlisten(listener);
    p.sim.run_for(kSecond);
    EXPECT_EQ(p.a.connections.live + p.b.connections.live, 0u);
}

TEST(TcpTransfer, OneLostSegmentIsRepairedByFastRetransmitWithoutATimeout) {
    TcpListener listener(nullptr, 2);  // before the pair: outlives its Tcp
    Pair p;
    ASSERT_FALSE(p.b.tcp->listen(listener, Ipv4Address {}, 7).is_error());
    TcpConnection* a = p.a.tcp->connect(kClient, 0, kServer, 7, {}, nullptr).value();
    TcpConnection* b = nullptr;
    ASSERT_TRUE(p.sim.run_until([&] { return (b = b ? b : listener.accept()) != nullptr; }, 5 * kSecond));
    // Drop the third full data segment the first time it is sent.
    int data_segments = 0;
    bool dropped = false;
    p.sim.filter = [&](const TcpTuple& tuple, const TcpSegment& s) {
        if (tuple.local == kClient && s.payload_length() > 0 && ++data_segments == 3 && !dropped) {
            dropped = true;
            return false;
        }
        return true;
    };
    std::vector<u8> data(200000);
    for (usize i = 0; i < data.size(); ++i) data[i] = u8(i * 13);
    usize written = 0, got = 0;
    std::vector<u8> received;
    ASSERT_TRUE(p.sim.run_until([&] {
        if (written < data.size()) {
            auto w = a->write(ReadonlyBytes(data.data() + written, data.size() - written));
            if (!w.is_error()) written += w.value();
        }
        u8 sink[8192];
        auto r = b->read(Bytes(sink, sizeof sink));
        if (!r.is_error()) {
            received.insert(received.end(), sink, sink + r.value());
            got += r.value();
        }
        return got == data.size();
    }, 60 * kSecond));
    EXPECT_TRUE(dropped);
    EXPECT_EQ(received, data);
    EXPECT_EQ(a->stats().fast_retransmits, 1u);
    EXPECT_EQ(a->stats().timeouts, 0u);
    EXPECT_EQ(b->stats().out_of_order > 0, true);
    a->close();
    b->close();
    p.b.tcp->unlisten(listener);
    p.sim.run_for(kSecond);
}

namespace {

// A connected pair with `a` -> `b` established and one exchange done, so
// `a` has a round-trip estimate (the tail loss probe needs one).
struct Connected {
    TcpListener listener {nullptr, 2};  // before the pair: outlives its Tcp
    Pair p;
    TcpConnection* a = nullptr;
    TcpConnection* b = nullptr;

    Connected() {
        EXPECT_FALSE(p.b.tcp->listen(listener, Ipv4Address {}, 7).is_error());
        a = p.a.tcp->connect(kClient, 0, kServer, 7, {}, nullptr).value();
        EXPECT_TRUE(p.sim.run_until([&] { return (b = b ? b : listener.accept()) != nullptr; }, 5 * kSecond));
        const u8 hello[100] = {};
        EXPECT_FALSE(a->write(ReadonlyBytes(hello, sizeof hello)).is_error());
        EXPECT_TRUE(p.sim.run_until([&] { return drain() == sizeof hello; }, 5 * kSecond));
        received = 0;
    }
    ~Connected() {
        p.sim.filter = nullptr;
        a->close();
        b->close();
        p.b.tcp->unlisten(listener);
        p.sim.run_for(kSecond);
    }
    usize received = 0;
    usize drain() {
        u8 sink[8192];
        while (true) {
            auto r = b->read(Bytes(sink, sizeof sink));
            if (r.is_error() || r.value() == 0) return received;
            received += r.value();
        }
    }
    // Writes `segments` full segments at once and runs until `b` has them.
    bool send_segments(u32 segments, Nanoseconds limit) {
        std::vector<u8> data(usize(a->send_mss()) * segments, 0x5a);
        EXPECT_EQ(a->write(ReadonlyBytes(data.data(), data.size())).value(), data.size());
        return p.sim.run_until([&] { return drain() == data.size(); }, limit);
    }
};

}  // namespace

TEST(TcpTransfer, WithTwoSegmentsOutALossIsRepairedByEarlyRetransmit) {
    // RFC 5827: the one segment after the hole brings one duplicate ACK;
    // three can never come, and waiting for the timer would cost 200 ms.
    Connected c;
    int data_segments = 0;
    c.p.sim.filter = [&](const TcpTuple& tuple, const TcpSegment& s) {
        return !(tuple.local == kClient && s.payload_length() > 0 && ++data_segments == 1);
    };
    ASSERT_TRUE(c.send_segments(2, 10 * kSecond));
    EXPECT_EQ(c.a->stats().fast_retransmits, 1u);
    EXPECT_EQ(c.a->stats().timeouts, 0u);
}

TEST(TcpTransfer, ALostTailIsFoundByAProbeBeforeTheTimeout) {
    // The last two of four segments vanish: no duplicate ACK comes at all.
    // The probe resends the fourth; its SACK shows the third lost.
    Connected c;
    int data_segments = 0;
    c.p.sim.filter = [&](const TcpTuple& tuple, const TcpSegment& s) {
        if (tuple.local != kClient || s.payload_length() == 0) return true;
        ++data_segments;
        return data_segments != 3 && data_segments != 4;
    };
    const Nanoseconds start = c.p.sim.now;
    ASSERT_TRUE(c.send_segments(4, 10 * kSecond));
    EXPECT_EQ(c.a->stats().probes, 1u);
    EXPECT_EQ(c.a->stats().fast_retransmits, 1u);
    EXPECT_EQ(c.a->stats().timeouts, 0u);
    EXPECT_LT(c.p.sim.now - start, TcpConnection::kMinRto);
}

TEST(TcpTransfer, DataSegmentsCarryingSackBlocksStillFitTheMss) {
    // Both ends send while each holds out-of-order data: the SACK blocks
    // come out of the payload, or the segment would exceed the path MTU.
    Connected c;
    int seen = 0, with_both = 0, too_big = 0;
    c.p.sim.filter = [&](const TcpTuple&, const TcpSegment& s) {
        const usize beyond_fixed = tcp_header_size(s.options, s.has(tcp_flag::kSyn)) - TcpSegment::kHeaderSize;
        if (beyond_fixed + s.payload_length() > TcpOptionsConfig {}.mss) ++too_big;
        if (s.payload_length() && s.options.sack_count) ++with_both;
        return ++seen % 17 != 0;  // lose about 6%, in both directions
    };
    std::vector<u8> data(400000, 0xa5);
    usize a_sent = 0, b_sent = 0, a_got = 0;
    ASSERT_TRUE(c.p.sim.run_until([&] {
        if (a_sent < data.size()) {
            auto w = c.a->write(ReadonlyBytes(data.data(), data.size() - a_sent));
            if (!w.is_error()) a_sent += w.value();
        }
        if (b_sent < data.size()) {
            auto w = c.b->write(ReadonlyBytes(data.data(), data.size() - b_sent));
            if (!w.is_error()) b_sent += w.value();
        }
        u8 sink[8192];
        while (true) {
            auto r = c.a->read(Bytes(sink, sizeof sink));
            if (r.is_error() || r.value() == 0) break;
            a_got += r.value();
        }
        return c.drain() == data.size() && a_got == data.size();
    }, 600 * kSecond));
    EXPECT_GT(with_both, 0);
    EXPECT_EQ(too_big, 0);
}

TEST(TcpTransfer, NagleHoldsSmallSegmentsWhileDataIsUnacknowledged) {
    for (bool nagle : {true, false}) {
        TcpListener listener(nullptr, 2);  // before the pair: outlives its Tcp
        Pair p;
        ASSERT_FALSE(p.b.tcp->listen(listener, Ipv4Address {}, 7).is_error());
        TcpOptionsConfig config;
        config.nagle = nagle;
        TcpConnection* a = p.a.tcp->connect(kClient, 0, kServer, 7, config, nullptr).value();
        TcpConnection* b = nullptr;
        ASSERT_TRUE(p.sim.run_until([&] { return (b = b ? b : listener.accept()) != nullptr; }, 5 * kSecond));
        const usize before = p.a.sent.size();
        const u8 one = '1';
        ASSERT_EQ(a->write(ReadonlyBytes(&one, 1)).value(), 1u);
        ASSERT_EQ(a->write(ReadonlyBytes(&one, 1)).value(), 1u);
        ASSERT_EQ(a->write(ReadonlyBytes(&one, 1)).value(), 1u);
        // With Nagle, only the first byte goes until it is acknowledged.
        EXPECT_EQ(p.a.sent.size() - before, nagle ? 1u : 3u) << "nagle " << nagle;
        p.sim.run_for(kSecond);
        EXPECT_EQ(b->readable(), 3u);
        a->close();
        u8 sink[4];
        (void)b->read(Bytes(sink, 4));
        b->close();
        p.b.tcp->unlisten(listener);
        p.sim.run_for(kSecond);
    }
}
