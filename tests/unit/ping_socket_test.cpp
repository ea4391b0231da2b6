// Ping sockets (socket/ping_socket.*, abi::SocketKind::IcmpEcho) from a
// process's point of view: echo requests written through the syscalls,
// over the loopback (the stack answers its own echo requests) and to a
// fake network device whose frames are read and built byte by byte
// (support/net_frames.hpp); replies reach only the socket whose
// identifier they carry, wait in a bounded queue that counts its drops,
// and stop arriving when the socket is closed.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "support/socket_fixture.hpp"
#include "support/net_frames.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

namespace {

constexpr u32 kPeer = 0x0a000202;       // 10.0.2.2
constexpr u32 kLocalhost = 0x7f000001;  // 127.0.0.1

// An echo reply from the peer, as it would arrive on the wire.
Frame reply_frame(unsigned id, unsigned sequence, const std::string& data, unsigned ttl = 64) {
    return ethernet(kOurMac, kPeerMac, 0x0800,
                    ipv4(1, icmp(0, id, sequence, Frame(data.begin(), data.end())), kPeerIp, kOurIp, 1, 0, ttl));
}

}  // namespace

class PingSocketTest : public SocketFixture {
protected:
    void SetUp() override { start("ping"); }

    u64 at(u64 offset) { return scratch(*P) + kPollItems + offset; }
    i64 open(Thread& t) { return call(t, Sys::Socket, net, u64(abi::SocketKind::IcmpEcho)); }
    // write(): `header` then `data`, `length` bytes of it (default: all).
    i64 echo(Thread& t, i64 s, const abi::DatagramHeader& header, const std::string& data, i64 length = -1) {
        const u64 buffer = scratch(*P) + kSendBytes;
        poke(*P, buffer, header);
        if (!data.empty()) poke_string(*P, buffer + sizeof(header), data);
        const u64 n = length < 0 ? sizeof(header) + data.size() : u64(length);
        return call(t, Sys::Write, u64(s), buffer, n, abi::kCurrentOffset);
    }
    i64 echo(Thread& t, i64 s, u32 address, u16 sequence, const std::string& data) {
        abi::DatagramHeader header {};
        header.peer = {address, 0, 0};
        header.sequence = sequence;
        return echo(t, s, header, data);
    }
    abi::DatagramHeader header_read() { return peek<abi::DatagramHeader>(*P, scratch(*P) + kRecvBytes); }
    std::string data_read(usize length) {
        return peek_string(*P, scratch(*P) + kRecvBytes + sizeof(abi::DatagramHeader), length);
    }
    abi::SocketInfo info(Thread& t, i64 s) {
        EXPECT_EQ(call(t, Sys::SocketInfo, u64(s), at(0x80)), 0);
        return peek<abi::SocketInfo>(*P, at(0x80));
    }
    i64 queue_limit(Thread& t, i64 s, u64 value) {
        return call(t, Sys::SocketOption, u64(s), u64(abi::SocketOption::ReceiveBuffer), value);
    }
    i64 readable(Thread& t, i64 s) { return poll(t, abi::Handle(s), abi::kPollReadable, 0); }

};

TEST_F(PingSocketTest, PingingLocalhostGetsTheEchoBackWithItsSequenceAndData) {
    i64 s = -1;
    as(P->thread(), [&](Thread& t) {
        s = open(t);
        EXPECT_GT(s, 0);
        EXPECT_EQ(echo(t, s, kLocalhost, 7, "hello, me"), i64(sizeof(abi::DatagramHeader) + 9));
        return RunExit::Loop;
    });
    settle();
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(readable(t, s), 1);
        EXPECT_EQ(read(t, abi::Handle(s), 100), i64(sizeof(abi::DatagramHeader) + 9));
        const abi::DatagramHeader h = header_read();
        EXPECT_EQ(h.peer.address, kLocalhost);
        EXPECT_EQ(h.peer.port, 0);
        EXPECT_EQ(h.sequence, 7);
        EXPECT_EQ(h.length, 9u);
        EXPECT_GT(h.ttl, 0);
        EXPECT_EQ(data_read(9), "hello, me");
        const abi::SocketInfo i = info(t, s);
        EXPECT_EQ(i.kind, u32(abi::SocketKind::IcmpEcho));
        EXPECT_EQ(i.bytes_out, 9u);
        EXPECT_EQ(i.bytes_in, 9u);
        EXPECT_EQ(i.readable, 0u);
        return RunExit::Loop;
    });
    EXPECT_TRUE(device.take().empty()) << "the loopback never reaches the device";
    EXPECT_EQ(stack.icmp().counters.echo_requests, 1u) << "the stack answered its own request";
    EXPECT_EQ(stack.icmp().counters.echo_replies_sent, 1u);
    EXPECT_EQ(stack.icmp().counters.echo_replies_received, 1u);
}

TEST_F(PingSocketTest, TheRequestCarriesTheSocketsIdentifierAndAReplyReachesOnlyItsSocket) {
    i64 a = -1, b = -1;
    u16 id_a = 0, id_b = 0;
    as(P->thread(), [&](Thread& t) {
        a = open(t);
        b = open(t);
        EXPECT_GT(a, 0);
        EXPECT_GT(b, 0);
        id_a = info(t, a).local.port;
        id_b = info(t, b).local.port;
        EXPECT_EQ(echo(t, a, kPeer, 3, "abc"), i64(sizeof(abi::DatagramHeader) + 3));
        return RunExit::Loop;
    });
    EXPECT_NE(id_a, id_b);
    EXPECT_EQ(stack.icmp().echo_listeners(), 2u);
    settle();
    auto frames = device.take();
    ASSERT_EQ(frames.size(), 1u);
    const Frame& f = frames[0];
    ASSERT_GE(f.size(), 14u + 20u + 8u + 3u);
    EXPECT_EQ(get16(f, 12), 0x0800u);
    EXPECT_EQ(f[14 + 9], 1) << "ICMP";
    EXPECT_EQ(Frame(f.begin() + 14 + 16, f.begin() + 14 + 20), kPeerIp);
    const Frame message(f.begin() + 34, f.begin() + 34 + 8 + 3);
    EXPECT_EQ(message[0], 8) << "echo request";
    EXPECT_EQ(message[1], 0);
    EXPECT_EQ(get16(message, 4), id_a);
    EXPECT_EQ(get16(message, 6), 3u);
    EXPECT_EQ(std::string(message.begin() + 8, message.end()), "abc");
    EXPECT_EQ(csum(message), 0) << "a valid ICMP checksum";

    // b reads first and parks: the reply with b's identifier wakes it, and
    // a sees nothing.
    as(P->thread(), [&](Thread& t) {
        clear_result(t);
        (void)read(t, abi::Handle(b), 100);
        EXPECT_STREQ(t.wait_reason(), "ping read");
        return RunExit::Parked;
    });
    device.receive(reply_frame(id_b, 9, "xyz", 33));
    run_until([&] { return frame(*P).has_result; });
    ASSERT_TRUE(frame(*P).has_result);
    EXPECT_EQ(frame(*P).result, i64(sizeof(abi::DatagramHeader) + 3));
    const abi::DatagramHeader h = header_read();
    EXPECT_EQ(h.peer.address, kPeer);
    EXPECT_EQ(h.sequence, 9);
    EXPECT_EQ(h.ttl, 33);
    EXPECT_EQ(data_read(3), "xyz");
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(readable(t, a), 0) << "not a's identifier";
        EXPECT_EQ(readable(t, b), 0) << "taken";
        return RunExit::Loop;
    });

    // The reply to a's request reaches a; one nobody listens for is counted.
    device.receive(reply_frame(id_a, 3, "abc"));
    device.receive(reply_frame(u16(id_a + id_b + 100), 1, "lost"));
    settle();
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(readable(t, a), 1);
        EXPECT_EQ(readable(t, b), 0);
        EXPECT_EQ(read(t, abi::Handle(a), 100), i64(sizeof(abi::DatagramHeader) + 3));
        EXPECT_EQ(header_read().sequence, 3);
        return RunExit::Loop;
    });
    EXPECT_EQ(stack.icmp().counters.echo_replies_unmatched, 1u);
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers) << "every reply's buffer went back";
}

TEST_F(PingSocketTest, TheReplyQueueIsBoundedAndCountsItsDrops) {
    i64 s = -1;
    u16 id = 0;
    as(P->thread(), [&](Thread& t) {
        s = open(t);
        id = info(t, s).local.port;
        EXPECT_EQ(queue_limit(t, s, abi::kOptionQuery), i64(PingSocket::kDefaultQueue));
        EXPECT_EQ(queue_limit(t, s, 0), err(Err::InvalidArgument));
        EXPECT_EQ(queue_limit(t, s, PingSocket::kMaxQueue + 1), err(Err::InvalidArgument));
        EXPECT_EQ(queue_limit(t, s, 2), 2);
        EXPECT_EQ(call(t, Sys::SocketOption, u64(s), u64(abi::SocketOption::NoDelay), 1), err(Err::Unsupported));
        return RunExit::Loop;
    });
    for (unsigned sequence = 0; sequence < 5; ++sequence) device.receive(reply_frame(id, sequence, "12345"));
    settle();
    EXPECT_EQ(stack.icmp().counters.echo_queue_full, 3u);
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers - 2) << "two replies wait in their buffers";
    as(P->thread(), [&](Thread& t) {
        abi::SocketInfo i = info(t, s);
        EXPECT_EQ(i.readable, 2u);
        EXPECT_EQ(i.dropped, 3u);
        EXPECT_EQ(stat(t, abi::Handle(s)).size, 2u);
        // The first two, in order; a short buffer cuts the data and the
        // header says how long it was.
        EXPECT_EQ(read(t, abi::Handle(s), sizeof(abi::DatagramHeader) + 2), i64(sizeof(abi::DatagramHeader) + 2));
        EXPECT_EQ(header_read().sequence, 0);
        EXPECT_EQ(header_read().length, 5u);
        EXPECT_EQ(data_read(2), "12");
        EXPECT_EQ(read(t, abi::Handle(s), 100), i64(sizeof(abi::DatagramHeader) + 5));
        EXPECT_EQ(header_read().sequence, 1);
        EXPECT_EQ(readable(t, s), 0);
        return RunExit::Loop;
    });
    // Room again: the next reply is queued.
    device.receive(reply_frame(id, 5, "again"));
    settle();
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(readable(t, s), 1);
        EXPECT_EQ(info(t, s).dropped, 3u);
        return RunExit::Loop;
    });
}

TEST_F(PingSocketTest, BadWritesAndCallsGetTheirNamedErrorsAndSendNothing) {
    as(P->thread(), [&](Thread& t) {
        const i64 s = open(t);
        EXPECT_GT(s, 0);
        abi::DatagramHeader h {};
        h.peer = {kPeer, 0, 0};
        EXPECT_EQ(echo(t, s, h, "", 4), err(Err::InvalidArgument)) << "shorter than the header";
        EXPECT_EQ(echo(t, s, h, std::string(abi::kDatagramMax + 1, 'x')), err(Err::Overflow)) << "too much data";
        EXPECT_EQ(echo(t, s, 0, 1, "x"), err(Err::InvalidArgument)) << "no address, nothing connected";
        h.peer.port = 7;
        EXPECT_EQ(echo(t, s, h, "x"), err(Err::InvalidArgument)) << "echo has no ports";
        h.peer.port = 0;
        h.ttl = 5;
        EXPECT_EQ(echo(t, s, h, "x"), err(Err::InvalidArgument)) << "the TTL is the reply's";
        h.ttl = 0;
        EXPECT_EQ(read(t, abi::Handle(s), 4), err(Err::InvalidArgument)) << "no room for the header";
        poke(*P, at(0x40), abi::SocketAddress {0, 0, 0});
        EXPECT_EQ(call(t, Sys::Bind, u64(s), at(0x40)), err(Err::Unsupported)) << "the kernel gives the identifier";
        EXPECT_EQ(call(t, Sys::Listen, u64(s), 1), err(Err::Unsupported));
        EXPECT_EQ(call(t, Sys::Accept, u64(s), 0, 0), err(Err::Unsupported));
        poke(*P, at(0x40), abi::SocketAddress {kPeer, 7, 0});
        EXPECT_EQ(call(t, Sys::Connect, u64(s), at(0x40), 0), err(Err::InvalidArgument));
        EXPECT_EQ(info(t, s).bytes_out, 0u);
        EXPECT_EQ(call(t, Sys::Socket, net, 4), err(Err::InvalidArgument)) << "no fourth kind";
        return RunExit::Loop;
    });
    settle();
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(stack.icmp().counters.echo_requests_sent, 0u);

    // Connected, a zero peer means the connected one; the full size goes.
    as(P->thread(), [&](Thread& t) {
        const i64 s = open(t);
        poke(*P, at(0x40), abi::SocketAddress {kPeer, 0, 0});
        EXPECT_EQ(call(t, Sys::Connect, u64(s), at(0x40), 0), 0);
        EXPECT_EQ(info(t, s).state, u32(abi::SocketState::Connected));
        EXPECT_EQ(info(t, s).peer.address, kPeer);
        EXPECT_EQ(echo(t, s, 0, 1, std::string(abi::kDatagramMax, 'm')),
                  i64(sizeof(abi::DatagramHeader) + abi::kDatagramMax));
        return RunExit::Loop;
    });
    settle();
    auto frames = device.take();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].size(), 14u + 1500u) << "a full IPv4 packet of 1500 bytes";
}

TEST_F(PingSocketTest, ClosingTheSocketUnhooksItAndFreesItsQueue) {
    const usize listeners = stack.icmp().echo_listeners();
    i64 s = -1;
    u16 id = 0;
    as(P->thread(), [&](Thread& t) {
        s = open(t);
        id = info(t, s).local.port;
        return RunExit::Loop;
    });
    EXPECT_EQ(stack.icmp().echo_listeners(), listeners + 1);
    EXPECT_EQ(sockets->stats().sockets_live, 1u);
    device.receive(reply_frame(id, 0, "queued"));
    device.receive(reply_frame(id, 1, "queued"));
    settle();
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers - 2);
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, u64(s)), 0);
        return RunExit::Loop;
    });
    settle();
    EXPECT_EQ(stack.icmp().echo_listeners(), listeners);
    EXPECT_EQ(sockets->stats().sockets_live, 0u);
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers) << "the queued replies went back";
    // A late reply for the closed socket reaches nobody.
    const u64 unmatched = stack.icmp().counters.echo_replies_unmatched;
    device.receive(reply_frame(id, 2, "late"));
    settle();
    EXPECT_EQ(stack.icmp().counters.echo_replies_unmatched, unmatched + 1);
    // And the next socket does not take the closed one's identifier.
    as(P->thread(), [&](Thread& t) {
        const i64 again = open(t);
        EXPECT_GT(again, 0);
        EXPECT_NE(info(t, again).local.port, id);
        return RunExit::Loop;
    });
}

}  // namespace mote::test
