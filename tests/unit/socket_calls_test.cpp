// Sockets from a process's point of view (syscall/socket_calls.cpp,
// socket/): a program makes a socket with the network capability, listens,
// accepts, reads, writes, connects and closes through the syscalls, while
// the peer is frames at a fake network device, built and read byte by
// byte (support/tcp_frames.hpp).
#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "socket/socket_report.hpp"
#include "support/socket_fixture.hpp"
#include "support/tcp_frames.hpp"

namespace mote::test {

using abi::Err;
using abi::Sys;

class SocketCallsTest : public SocketFixture {
protected:
    void SetUp() override { start("server"); }

    u64 at(u64 offset) { return scratch(*P) + kPollItems + offset; }
    i64 socket(Thread& t) { return call(t, Sys::Socket, net, u64(abi::SocketKind::Tcp)); }
    i64 bind(Thread& t, i64 s, u32 address, u16 port) {
        poke(*P, at(0x40), abi::SocketAddress {address, port, 0});
        return call(t, Sys::Bind, u64(s), at(0x40));
    }
    i64 connect(Thread& t, i64 s, u32 address, u16 port, Nanoseconds timeout) {
        poke(*P, at(0x40), abi::SocketAddress {address, port, 0});
        return call(t, Sys::Connect, u64(s), at(0x40), timeout);
    }
    abi::SocketInfo info(Thread& t, i64 s) {
        EXPECT_EQ(call(t, Sys::SocketInfo, u64(s), at(0x80)), 0);
        return peek<abi::SocketInfo>(*P, at(0x80));
    }
    // A listener on port 80, as a program would make it.
    i64 listener() {
        i64 s = -1;
        as(P->thread(), [&](Thread& t) {
            s = socket(t);
            EXPECT_GT(s, 0);
            EXPECT_EQ(bind(t, s, 0, 80), 0);
            EXPECT_EQ(call(t, Sys::Listen, u64(s), 4), 0);
            return RunExit::Loop;
        });
        return s;
    }
    // The peer's side of the three-way handshake to port 80: our ISS.
    u32 handshake(unsigned sport, u32 peer_iss) {
        device.receive(tcp_frame(tcp(sport, 80, peer_iss, 0, kSyn, 65535, Frame {2, 4, 0x05, 0xb4})));
        settle();
        auto out = device.take();
        EXPECT_EQ(out.size(), 1u);
        if (out.empty()) return 0;
        const Sent synack = read_sent(out[0]);
        EXPECT_EQ(synack.flags, kSyn | kAck);
        device.receive(tcp_frame(tcp(sport, 80, peer_iss + 1, synack.seq + 1, kAck, 65535)));
        settle();
        return synack.seq;
    }
    // Every segment the device sent since the last look.
    std::vector<Sent> sent() {
        std::vector<Sent> out;
        for (const Frame& f : device.take()) out.push_back(read_sent(f));
        return out;
    }

};

TEST_F(SocketCallsTest, MakingASocketNeedsTheNetworkCapabilityWithWrite) {
    const abi::Handle read_only = P->handles().install(sockets->capability(), abi::kRightRead).value();
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Socket, read_only, u64(abi::SocketKind::Tcp)), err(Err::AccessDenied));
        const Ends ends = create_channel(t);
        EXPECT_EQ(call(t, Sys::Socket, ends.a, u64(abi::SocketKind::Tcp)), err(Err::WrongType)) << "a channel";
        EXPECT_EQ(call(t, Sys::Socket, net, 7), err(Err::InvalidArgument));
        const i64 s = socket(t);
        EXPECT_GT(s, 0);
        // A socket is not a network capability, nor the other way round.
        EXPECT_EQ(call(t, Sys::Socket, u64(s), u64(abi::SocketKind::Tcp)), err(Err::WrongType));
        EXPECT_EQ(call(t, Sys::Listen, net, 1), err(Err::WrongType));
        abi::Stat st = stat(t, abi::Handle(s));
        EXPECT_EQ(st.type, u32(abi::NodeType::Socket));
        EXPECT_EQ(info(t, s).state, u32(abi::SocketState::Unbound));
        // Not connected: nothing to read or write, and an address that is not ours cannot be bound.
        EXPECT_EQ(read(t, abi::Handle(s), 10), err(Err::BadState));
        EXPECT_EQ(bind(t, s, 0x01020304, 80), err(Err::NotFound));
        EXPECT_EQ(call(t, Sys::Accept, u64(s), 0, 0), err(Err::BadState));
        return RunExit::Loop;
    });
}

TEST_F(SocketCallsTest, AcceptReadWriteAndCloseOverTheWire) {
    const i64 s = listener();
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(info(t, s).state, u32(abi::SocketState::Listening));
        EXPECT_EQ(info(t, s).local.port, 80);
        EXPECT_EQ(call(t, Sys::Accept, u64(s), 0, 0), err(Err::WouldBlock));
        clear_result(t);
        (void)call(t, Sys::Accept, u64(s), at(0xc0), kForever);
        EXPECT_STREQ(t.wait_reason(), "socket accept");
        return RunExit::Parked;
    });
    const u32 iss = handshake(40000, 1000);
    ASSERT_TRUE(frame(*P).has_result) << "the handshake finished the parked accept";
    const i64 c = frame(*P).result;
    ASSERT_GT(c, 0);
    const auto peer = peek<abi::SocketAddress>(*P, at(0xc0));
    EXPECT_EQ(peer.address, 0x0a000202u);
    EXPECT_EQ(peer.port, 40000);

    // The peer's bytes reach a parked read.
    as(P->thread(), [&](Thread& t) {
        clear_result(t);
        (void)read(t, abi::Handle(c), 100);
        EXPECT_STREQ(t.wait_reason(), "socket read");
        return RunExit::Parked;
    });
    const std::string request = "GET / HTTP/1.1\r\n\r\n";
    device.receive(tcp_frame(tcp(40000, 80, 1001, iss + 1, kAck | kPsh, 65535, {}, Frame(request.begin(), request.end()))));
    settle();
    ASSERT_TRUE(frame(*P).has_result);
    EXPECT_EQ(frame(*P).result, i64(request.size()));
    EXPECT_EQ(read_bytes(*P, request.size()), request);

    // Our bytes leave as a segment with the right numbers.
    (void)sent();
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(write(t, abi::Handle(c), "HTTP/1.1 200 OK\r\n"), 17);
        abi::SocketInfo i = info(t, c);
        EXPECT_EQ(i.state, u32(abi::SocketState::Connected));
        EXPECT_EQ(i.peer.port, 40000);
        EXPECT_EQ(i.local.port, 80);
        EXPECT_EQ(i.bytes_in, request.size());
        return RunExit::Loop;
    });
    std::string payload;
    for (const Sent& seg : sent()) {
        EXPECT_TRUE(seg.checksum_ok);
        EXPECT_EQ(seg.sport, 80u);
        if (!seg.payload.empty()) {
            EXPECT_EQ(seg.seq, iss + 1);
            payload.append(seg.payload.begin(), seg.payload.end());
        }
    }
    EXPECT_EQ(payload, "HTTP/1.1 200 OK\r\n");

    // Closing the handle sends FIN once the bytes are acknowledged.
    device.receive(tcp_frame(tcp(40000, 80, 1001 + u32(request.size()), iss + 18, kAck, 65535)));
    settle();
    (void)sent();
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, u64(c)), 0);
        return RunExit::Loop;
    });
    settle();
    bool fin = false;
    for (const Sent& seg : sent()) fin |= (seg.flags & kFin) != 0;
    EXPECT_TRUE(fin);
    EXPECT_EQ(sockets->stats().connections_live, 1u) << "the layer still finishes the handshake";
    // The peer's FIN and the ACK of ours end it: the memory goes back.
    device.receive(tcp_frame(tcp(40000, 80, 1001 + u32(request.size()), iss + 19, kAck | kFin, 65535)));
    settle();
    run_until([&] { return sockets->stats().connections_live == 0; }, 200);
    EXPECT_EQ(sockets->stats().connections_live, 0u);
}

TEST_F(SocketCallsTest, PollSeesAPendingConnectionAndTheEndOfStream) {
    const i64 s = listener();
    const u32 iss = handshake(40001, 5000);
    i64 c = -1;
    as(P->thread(), [&](Thread& t) {
        u32 ready = 0;
        EXPECT_EQ(poll(t, abi::Handle(s), abi::kPollReadable, 0, &ready), 1);
        EXPECT_EQ(ready, abi::kPollReadable);
        c = call(t, Sys::Accept, u64(s), 0, 0);
        EXPECT_GT(c, 0);
        EXPECT_EQ(poll(t, abi::Handle(c), abi::kPollReadable, 0, &ready), 0);
        EXPECT_EQ(poll(t, abi::Handle(c), abi::kPollWritable, 0, &ready), 1);
        return RunExit::Loop;
    });
    // The peer half-closes: readable, a read of 0, yet still writable.
    device.receive(tcp_frame(tcp(40001, 80, 5001, iss + 1, kAck | kFin, 65535)));
    settle();
    as(P->thread(), [&](Thread& t) {
        u32 ready = 0;
        EXPECT_EQ(poll(t, abi::Handle(c), abi::kPollReadable | abi::kPollWritable, 0, &ready), 1);
        EXPECT_EQ(ready, abi::kPollReadable | abi::kPollWritable);
        EXPECT_EQ(read(t, abi::Handle(c), 10), 0);
        EXPECT_EQ(info(t, c).state, u32(abi::SocketState::PeerClosed));
        EXPECT_EQ(write(t, abi::Handle(c), "bye"), 3);
        return RunExit::Loop;
    });
}

TEST_F(SocketCallsTest, ConnectParksUntilTheHandshakeAndReportsRefusalAndTimeout) {
    i64 s = -1;
    as(P->thread(), [&](Thread& t) {
        s = socket(t);
        clear_result(t);
        (void)connect(t, s, 0x0a000202, 9000, kForever);
        EXPECT_STREQ(t.wait_reason(), "socket connect");
        return RunExit::Parked;
    });
    auto out = sent();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].flags, kSyn);
    EXPECT_EQ(out[0].dport, 9000u);
    EXPECT_FALSE(frame(*P).has_result);
    device.receive(tcp_frame(tcp(9000, out[0].sport, 777, out[0].seq + 1, kSyn | kAck, 65535, Frame {2, 4, 0x05, 0xb4})));
    settle();
    ASSERT_TRUE(frame(*P).has_result);
    EXPECT_EQ(frame(*P).result, 0);
    auto acks = sent();
    ASSERT_FALSE(acks.empty());
    EXPECT_EQ(acks[0].flags, kAck);
    EXPECT_EQ(acks[0].ack, 778u);

    // Refused: the peer answers the SYN with RST.
    i64 r = -1;
    as(P->thread(), [&](Thread& t) {
        r = socket(t);
        clear_result(t);
        (void)connect(t, r, 0x0a000202, 9001, kForever);
        return RunExit::Parked;
    });
    out = sent();
    ASSERT_EQ(out.size(), 1u);
    device.receive(tcp_frame(tcp(9001, out[0].sport, 0, out[0].seq + 1, kRst | kAck, 0)));
    settle();
    ASSERT_TRUE(frame(*P).has_result);
    EXPECT_EQ(frame(*P).result, err(Err::PeerClosed));

    // Nobody answers: the connect's own timeout ends it.
    i64 q = -1;
    as(P->thread(), [&](Thread& t) {
        q = socket(t);
        clear_result(t);
        (void)connect(t, q, 0x0a000202, 9002, 50 * kMillisecond);
        return RunExit::Parked;
    });
    run_until([&] { return frame(*P).has_result; }, 200);
    ASSERT_TRUE(frame(*P).has_result);
    EXPECT_EQ(frame(*P).result, err(Err::Timeout));
    as(P->thread(), [&](Thread& t) {
        abi::SocketInfo i = info(t, q);
        EXPECT_EQ(i.state, u32(abi::SocketState::Failed));
        EXPECT_EQ(i.error, -i32(Err::Timeout));
        return RunExit::Loop;
    });
}

TEST_F(SocketCallsTest, ClosingEverythingGivesEveryPageBack) {
    const i64 s = listener();
    (void)handshake(40002, 9000);
    as(P->thread(), [&](Thread& t) {
        const i64 c = call(t, Sys::Accept, u64(s), 0, 0);
        EXPECT_GT(c, 0);
        EXPECT_EQ(write(t, abi::Handle(c), "unread by anyone"), 16);
        return RunExit::Loop;
    });
    end_all();
    settle();
    // The accepted connection had unacknowledged bytes; the layer keeps it
    // until the FIN handshake ends or the table abandons it.
    sockets.reset();
    EXPECT_EQ(pages.stats().free_pages, before.free_pages) << "as before the process was spawned";
    sockets.emplace(stack, pages);
    syscalls.set_sockets(&*sockets);
}

// UDP: one datagram per read and per write, each with its header.
TEST_F(SocketCallsTest, DatagramsInAndOutWithTheirHeaders) {
    i64 u = -1;
    as(P->thread(), [&](Thread& t) {
        u = call(t, Sys::Socket, net, u64(abi::SocketKind::Udp));
        EXPECT_GT(u, 0);
        EXPECT_EQ(read(t, abi::Handle(u), 100), err(Err::BadState)) << "not bound: nothing can arrive";
        EXPECT_EQ(bind(t, u, 0, 5000), 0);
        EXPECT_EQ(call(t, Sys::Listen, u64(u), 1), err(Err::Unsupported));
        EXPECT_EQ(read(t, abi::Handle(u), 4), err(Err::InvalidArgument)) << "no room for the header";
        clear_result(t);
        (void)read(t, abi::Handle(u), 100);
        EXPECT_STREQ(t.wait_reason(), "datagram read");
        return RunExit::Parked;
    });
    device.receive(udp_frame(4000, 5000, Frame {'p', 'i', 'n', 'g'}));
    run_until([&] { return frame(*P).has_result; });
    ASSERT_TRUE(frame(*P).has_result);
    EXPECT_EQ(frame(*P).result, i64(sizeof(abi::DatagramHeader) + 4));
    const auto header = peek<abi::DatagramHeader>(*P, scratch(*P) + kRecvBytes);
    EXPECT_EQ(header.peer.address, 0x0a000202u);
    EXPECT_EQ(header.peer.port, 4000);
    EXPECT_EQ(header.length, 4u);
    EXPECT_EQ(peek_string(*P, scratch(*P) + kRecvBytes + sizeof(header), 4), "ping");

    // A datagram longer than the buffer is cut; the header says how long it was.
    device.receive(udp_frame(4000, 5000, Frame(300, 'x')));
    run_until([&] { return false; }, 3);
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(read(t, abi::Handle(u), sizeof(abi::DatagramHeader) + 10), i64(sizeof(abi::DatagramHeader) + 10));
        EXPECT_EQ(peek<abi::DatagramHeader>(*P, scratch(*P) + kRecvBytes).length, 300u);
        return RunExit::Loop;
    });

    // Out: the header names the destination.
    (void)device.take();
    as(P->thread(), [&](Thread& t) {
        abi::DatagramHeader out {{0x0a000202, 4001, 0}, 0, 0, 0, 0};
        const u64 at = scratch(*P) + kSendBytes;
        poke(*P, at, out);
        poke_string(*P, at + sizeof(out), "pong");
        EXPECT_EQ(call(t, Sys::Write, u64(u), at, sizeof(out) + 4, abi::kCurrentOffset), i64(sizeof(out) + 4));
        EXPECT_EQ(call(t, Sys::Write, u64(u), at, sizeof(out) + abi::kDatagramMax + 1, abi::kCurrentOffset),
                  err(Err::Overflow));
        out.peer = {};
        poke(*P, at, out);
        EXPECT_EQ(call(t, Sys::Write, u64(u), at, sizeof(out) + 4, abi::kCurrentOffset), err(Err::InvalidArgument))
            << "no destination and no connected peer";
        return RunExit::Loop;
    });
    auto frames = device.take();
    ASSERT_EQ(frames.size(), 1u);
    const Frame& f = frames[0];
    const size_t udp_at = 14 + 20;
    EXPECT_EQ(get16(f, udp_at), 5000u);
    EXPECT_EQ(get16(f, udp_at + 2), 4001u);
    EXPECT_EQ(std::string(f.begin() + long(udp_at + 8), f.begin() + long(udp_at + 12)), "pong");
    as(P->thread(), [&](Thread& t) {
        abi::SocketInfo i = info(t, u);
        EXPECT_EQ(i.kind, u32(abi::SocketKind::Udp));
        EXPECT_EQ(i.local.port, 5000);
        EXPECT_EQ(i.bytes_in, 304u);
        EXPECT_EQ(i.bytes_out, 4u);
        return RunExit::Loop;
    });
}

// A burst larger than the device's receive buffers (the fake has 64) waits
// whole in a UDP socket's queue: each datagram is copied out as it arrives
// and its buffer goes back. ReceiveBuffer sizes the queue in bytes; a
// smaller queue than what waits is refused, a larger one keeps it all.
TEST_F(SocketCallsTest, AUdpBurstWaitsWholeInTheQueueAndHoldsNoDeviceBuffers) {
    i64 u = -1;
    as(P->thread(), [&](Thread& t) {
        u = call(t, Sys::Socket, net, u64(abi::SocketKind::Udp));
        EXPECT_GT(u, 0);
        EXPECT_EQ(bind(t, u, 0, 5000), 0);
        EXPECT_EQ(call(t, Sys::SocketOption, u64(u), u64(abi::SocketOption::ReceiveBuffer), abi::kOptionQuery),
                  64 * 1024);
        return RunExit::Loop;
    });
    constexpr int kDatagrams = 150;
    for (int wave = 0; wave < 3; ++wave) {
        std::vector<Frame> frames;
        for (int i = wave * 50; i < wave * 50 + 50; ++i) frames.push_back(udp_frame(4000 + i, 5000, Frame(100, u8(i))));
        EXPECT_TRUE(device.receive_batch(frames)) << "the device ran out of buffers in wave " << wave;
        settle();
    }
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers);
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(info(t, u).readable, u64(kDatagrams));
        EXPECT_EQ(info(t, u).dropped, 0u);
        const auto option = [&](u64 value) {
            return call(t, Sys::SocketOption, u64(u), u64(abi::SocketOption::ReceiveBuffer), value);
        };
        EXPECT_EQ(option(4096), err(Err::Busy)) << "150 datagrams of 100 bytes do not fit 4 KiB";
        EXPECT_EQ(option(200 * 1024), 200 * 1024);
        for (int i = 0; i < kDatagrams; ++i) {
            EXPECT_EQ(read(t, abi::Handle(u), sizeof(abi::DatagramHeader) + 200),
                      i64(sizeof(abi::DatagramHeader) + 100));
            const auto header = peek<abi::DatagramHeader>(*P, scratch(*P) + kRecvBytes);
            EXPECT_EQ(header.peer.port, 4000 + i);
            EXPECT_EQ(peek_string(*P, scratch(*P) + kRecvBytes + sizeof(header), 100), std::string(100, char(i)));
        }
        EXPECT_EQ(option(4096), 4096) << "empty now";
        return RunExit::Loop;
    });
}

// sys/sockets: one line per open socket, from the socket's own info();
// a closed socket leaves the list.
TEST_F(SocketCallsTest, TheSocketReportListsEachOpenSocket) {
    auto report = [&] {
        char text[2048];
        FormatBuffer out(Span<char>(text, sizeof(text)));
        write_socket_report(*sockets, out);
        return std::string(out.view().data(), out.view().length());
    };
    const i64 l = listener();
    i64 u = -1;
    as(P->thread(), [&](Thread& t) {
        u = call(t, Sys::Socket, net, u64(abi::SocketKind::Udp));
        EXPECT_EQ(bind(t, u, 0, 5000), 0);
        return RunExit::Loop;
    });
    device.receive(udp_frame(4000, 5000, Frame(10, 1)));
    device.receive(udp_frame(4000, 5000, Frame(20, 2)));
    settle();
    // The words of the line for `kind`'s socket.
    auto row = [](const std::string& text, const std::string& kind) {
        std::vector<std::string> words;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind(kind + " ", 0) != 0) continue;
            std::istringstream in(line);
            for (std::string word; in >> word;) words.push_back(word);
        }
        return words;
    };
    const std::string text = report();
    EXPECT_EQ(text.rfind("sockets 2 live 2 ", 0), 0u) << text;
    using Words = std::vector<std::string>;
    EXPECT_EQ(row(text, "tcp"), (Words {"tcp", "listening", "*:80", "*", "0", "0", "0", "0", "0"})) << text;
    // Both datagrams wait (one staged, one queued); nothing read yet.
    EXPECT_EQ(row(text, "udp"), (Words {"udp", "bound", "10.0.2.15:5000", "*", "2", "0", "0", "0", "0"})) << text;
    as(P->thread(), [&](Thread& t) {
        EXPECT_EQ(call(t, Sys::Close, u64(u)), 0);
        EXPECT_EQ(call(t, Sys::Close, u64(l)), 0);
        return RunExit::Loop;
    });
    settle();
    const std::string after = report();
    EXPECT_NE(after.find("live 0 "), std::string::npos) << after;
    EXPECT_EQ(after.find("udp "), std::string::npos) << after;
}

}  // namespace mote::test
