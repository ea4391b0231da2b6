// IPv4, ICMP and UDP through the whole stack: echo replies and UDP echo
// byte for byte, routing, port unreachable with its rate limit, every
// malformed-input counter, pool exhaustion and socket queue overflow.
#include "support/net_fixture.hpp"

using namespace mote;
using namespace mote::test;

class NetIpv4 : public NetFixture {};

namespace {
// Checks the IPv4 header checksum of the frame's IP packet.
bool ip_checksum_ok(const Frame& f) {
    Frame h(f.begin() + 14, f.begin() + 14 + 20);
    return csum(h) == 0;
}
Frame ip_payload(const Frame& f) {
    unsigned total = get16(f, 16);
    return Frame(f.begin() + 34, f.begin() + 14 + total);
}
}  // namespace

TEST_F(NetIpv4, IcmpEchoReplyIsTheRequestTurnedAround) {
    configure_static();
    learn_peer();
    Frame data;
    for (int i = 0; i < 56; ++i) data.push_back(u8(i * 3));
    device.receive(ethernet(kOurMac, kPeerMac, 0x0800, ipv4(1, icmp(8, 0x1234, 7, data))));
    settle();
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    const Frame& r = sent[0];
    EXPECT_EQ(Frame(r.begin(), r.begin() + 14), Frame(ethernet(kPeerMac, kOurMac, 0x0800, {}, false)));
    EXPECT_TRUE(ip_checksum_ok(r));
    EXPECT_EQ(r[14 + 9], 1);                                  // ICMP
    EXPECT_EQ(Frame(r.begin() + 26, r.begin() + 30), kOurIp);   // source
    EXPECT_EQ(Frame(r.begin() + 30, r.begin() + 34), kPeerIp);  // destination
    EXPECT_EQ(ip_payload(r), icmp(0, 0x1234, 7, data));
    EXPECT_EQ(stack.icmp().counters.echo_replies_sent, 1u);
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers);  // replied in place, then freed
}

TEST_F(NetIpv4, UdpEchoOnPort7AndOnTheConfiguredPort) {
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    stack.start(o);
    MUST(echo.start(7));
    MUST(echo.start(5555));
    settle();
    device.take();
    learn_peer();
    for (unsigned port : {7u, 5555u}) {
        for (usize size : {usize(0), usize(1), usize(64), usize(512), usize(1472)}) {
            Frame payload;
            for (usize i = 0; i < size; ++i) payload.push_back(u8(i ^ port));
            device.receive(udp_frame(40000, port, payload));
            settle();
            auto sent = device.take();
            ASSERT_EQ(sent.size(), 1u) << port << " " << size;
            EXPECT_TRUE(ip_checksum_ok(sent[0]));
            EXPECT_EQ(ip_payload(sent[0]), udp(port, 40000, payload, kOurIp, kPeerIp)) << size;
        }
    }
    EXPECT_EQ(echo.echoed(), 10u);
}

TEST_F(NetIpv4, UdpEchoBurstOfTwoHundredInOneBatchAllComeBack) {
    configure_static();
    learn_peer();
    std::vector<Frame> batch;
    for (int i = 0; i < 200; ++i) batch.push_back(udp_frame(40000, 7, Frame(64, u8(i))));
    // More than the fake device's RX pool holds at once: deliver in batches
    // of 50, as four interrupts would.
    for (int b = 0; b < 4; ++b) {
        ASSERT_TRUE(device.receive_batch(std::vector<Frame>(batch.begin() + b * 50, batch.begin() + (b + 1) * 50)));
        settle();
    }
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 200u);
    for (int i = 0; i < 200; ++i) EXPECT_EQ(sent[i][42], u8(i));  // in order, byte for byte
    EXPECT_EQ(stack.udp().counters.socket_queue_full, 0u);
}

TEST_F(NetIpv4, RoutesOffLinkThroughTheGateway) {
    configure_static();
    ASSERT_TRUE(stack.icmp().send_echo_request(Ipv4Address::from(8, 8, 8, 8), 1, 1, 8).ok());
    settle();
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    // The ARP request is for the gateway, not for 8.8.8.8.
    EXPECT_EQ(sent[0], ethernet(kBroadcastMac, kOurMac, 0x0806, arp(1, kOurMac, kOurIp, Frame(6, 0), kPeerIp)));
    device.receive(ethernet(kOurMac, kPeerMac, 0x0806, arp(2, kPeerMac, kPeerIp, kOurMac, kOurIp)));
    settle();
    sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(Frame(sent[0].begin(), sent[0].begin() + 6), kPeerMac);
    EXPECT_EQ(Frame(sent[0].begin() + 30, sent[0].begin() + 34), (Frame {8, 8, 8, 8}));
}

TEST_F(NetIpv4, NoGatewayMeansNoRoute) {
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    stack.start(o);
    EXPECT_EQ(stack.icmp().send_echo_request(Ipv4Address::from(8, 8, 8, 8), 1, 1, 8).error(), Error::NotFound);
    UdpSocket socket(stack, udp_queue());
    UdpSendRequest tx([](Request&) {});
    u8 byte = 1;
    tx.data = ReadonlyBytes(&byte, 1);
    tx.to = UdpEndpoint {Ipv4Address::from(8, 8, 8, 8), 53};
    EXPECT_EQ(socket.send(tx).error(), Error::NotFound);
    EXPECT_TRUE(stack.ipv4().route(Ipv4Address::from(10, 0, 2, 200)).ok());
}

TEST_F(NetIpv4, PortUnreachableForClosedPortsRateLimited) {
    configure_static();
    learn_peer();
    for (int i = 0; i < 15; ++i) device.receive(udp_frame(40000, 9999, Frame {1, 2, 3}));
    settle();
    auto sent = device.take();
    ASSERT_EQ(sent.size(), usize(Icmp::kUnreachableBurst));
    Frame original = ipv4(17, udp(40000, 9999, Frame {1, 2, 3}));
    Frame quoted(original.begin(), original.begin() + 28);
    Frame m = ip_payload(sent[0]);
    EXPECT_EQ(m[0], 3);
    EXPECT_EQ(m[1], 3);
    EXPECT_EQ(csum(m), 0);
    EXPECT_EQ(Frame(m.begin() + 8, m.end()), quoted);
    EXPECT_EQ(stack.icmp().counters.unreachable_rate_limited, 5u);
    EXPECT_EQ(stack.udp().counters.no_socket, 15u);
    // Tokens come back with time.
    advance(kSecond);
    device.receive(udp_frame(40000, 9999, Frame {1}));
    settle();
    EXPECT_EQ(device.take().size(), 1u);
    // Never for broadcasts.
    device.receive(udp_frame(40000, 9999, Frame {1}, kBroadcastMac, Frame {255, 255, 255, 255}));
    settle();
    EXPECT_TRUE(device.take().empty());
}

TEST_F(NetIpv4, EveryMalformedInputHasItsCounter) {
    configure_static();
    learn_peer();
    auto ip_frame = [](Frame ip) { return ethernet(kOurMac, kPeerMac, 0x0800, ip, false); };
    Frame good = ipv4(17, udp(40000, 7, Frame(10, 0xaa)));
    auto fix_checksum = [](Frame& ip) {
        ip[10] = ip[11] = 0;
        size_t ihl = (ip[0] & 0xf) * 4;
        uint16_t c = csum(Frame(ip.begin(), ip.begin() + std::min(ihl, ip.size())));
        ip[10] = u8(c >> 8);
        ip[11] = u8(c);
    };
    std::vector<Frame> frames;
    frames.push_back(Frame(kOurMac.begin(), kOurMac.end()));                      // eth truncated
    frames.push_back(ethernet({0x02, 0, 0, 0, 0, 1}, kPeerMac, 0x0800, good));     // not for us
    frames.push_back(ethernet(kOurMac, kPeerMac, 0x86dd, good));                   // IPv6: unknown type
    frames.push_back(ip_frame(Frame(good.begin(), good.begin() + 12)));           // ip truncated
    Frame v6 = good;
    v6[0] = 0x65;
    frames.push_back(ip_frame(v6));                                                // bad version
    Frame ihl0 = good;
    ihl0[0] = 0x40;
    frames.push_back(ip_frame(ihl0));                                              // zero IHL
    Frame ihl_huge = good;
    ihl_huge[0] = 0x4f;
    fix_checksum(ihl_huge);
    frames.push_back(ip_frame(ihl_huge));                                          // IHL past the end
    Frame long_total = good;
    long_total[2] = 0x05;
    fix_checksum(long_total);
    frames.push_back(ip_frame(long_total));                                        // total length lies
    Frame short_total = good;
    short_total[2] = 0;
    short_total[3] = 10;
    fix_checksum(short_total);
    frames.push_back(ip_frame(short_total));                                       // total < header
    Frame bad_sum = good;
    bad_sum[10] ^= 0xff;
    frames.push_back(ip_frame(bad_sum));                                           // checksum
    frames.push_back(ip_frame(ipv4(17, udp(40000, 7, Frame(4)), kPeerIp, kOurIp, 1, 0, 0)));      // TTL 0
    frames.push_back(ip_frame(ipv4(17, udp(40000, 7, Frame(4)), {255, 255, 255, 255}, kOurIp)));  // source
    frames.push_back(ip_frame(ipv4(17, udp(40000, 7, Frame(4)), kPeerIp, kOurIp, 1, 0x2000)));    // MF
    frames.push_back(ip_frame(ipv4(17, udp(40000, 7, Frame(4)), kPeerIp, kOurIp, 1, 0x0010)));    // offset
    frames.push_back(ip_frame(ipv4(17, udp(40000, 7, Frame(4)), kPeerIp, {10, 0, 2, 99})));       // not for us
    frames.push_back(ip_frame(ipv4(47, Frame(20))));                                              // GRE: not spoken
    frames.push_back(ip_frame(ipv4(6, Frame(20))));                                               // tcp offset 0
    frames.push_back(ip_frame(ipv4(1, Frame {8, 0, 0})));                                         // icmp truncated
    Frame icmp_bad = icmp(8, 1, 1, Frame(8));
    icmp_bad[2] ^= 1;
    frames.push_back(ip_frame(ipv4(1, icmp_bad)));                                                // icmp checksum
    frames.push_back(ip_frame(ipv4(17, Frame {0, 1, 0, 7})));                                     // udp truncated
    Frame udp_long = udp(40000, 7, Frame(4));
    udp_long[5] = 40;
    frames.push_back(ip_frame(ipv4(17, udp_long)));                                               // udp length lies
    Frame udp_short = udp(40000, 7, Frame(4));
    udp_short[5] = 4;
    frames.push_back(ip_frame(ipv4(17, udp_short)));                                              // udp length < 8
    Frame udp_sum = udp(40000, 7, Frame(4));
    udp_sum[7] ^= 1;
    frames.push_back(ip_frame(ipv4(17, udp_sum)));                                                // udp checksum
    for (const Frame& f : frames) device.receive(f);
    settle();

    const EthernetCounters& e = stack.ethernet().counters;
    EXPECT_EQ(e.truncated, 1u);
    EXPECT_EQ(e.not_for_us, 1u);
    EXPECT_EQ(e.unknown_type, 1u);
    const Ipv4Counters& i = stack.ipv4().counters;
    EXPECT_EQ(i.truncated, 1u);
    EXPECT_EQ(i.bad_version, 1u);
    EXPECT_EQ(i.bad_header_length, 2u);
    EXPECT_EQ(i.bad_total_length, 2u);
    EXPECT_EQ(i.bad_checksum, 1u);
    EXPECT_EQ(i.ttl_expired, 1u);
    EXPECT_EQ(i.bad_source, 1u);
    EXPECT_EQ(i.fragments_dropped, 2u);
    EXPECT_EQ(i.not_for_us, 1u);
    EXPECT_EQ(i.unknown_protocol, 1u);
    EXPECT_EQ(stack.tcp().tcp().counters.bad_data_offset, 1u);
    const IcmpCounters& c = stack.icmp().counters;
    EXPECT_EQ(c.truncated, 1u);
    EXPECT_EQ(c.bad_checksum, 1u);
    const UdpCounters& u = stack.udp().counters;
    EXPECT_EQ(u.truncated, 1u);
    EXPECT_EQ(u.bad_length, 2u);
    EXPECT_EQ(u.bad_checksum, 1u);
    EXPECT_EQ(echo.echoed(), 0u);
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers);

    // With verification off (the fuzzer's mode) the same bad checksums pass.
    stack.set_verify_checksums(false);
    device.receive(ip_frame(bad_sum));
    settle();
    EXPECT_EQ(device.take().size(), 1u);
}

TEST_F(NetIpv4, TxPoolExhaustionIsACountedDrop) {
    configure_static();
    learn_peer();
    std::vector<PacketBuffer*> taken;
    while (PacketBuffer* b = stack.tx_pool().allocate()) taken.push_back(b);
    device.receive(ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp)));
    device.receive(udp_frame(40000, 9999, Frame {1}));
    settle();
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(stack.arp().counters.no_buffer, 1u);
    EXPECT_EQ(stack.icmp().counters.no_buffer, 1u);
    EXPECT_GE(stack.tx_pool().stats().exhausted, 3u);
    // A UDP echo waits for a buffer instead of failing, and goes out when
    // one comes back.
    device.receive(udp_frame(40000, 7, Frame {9, 9}));
    settle();
    EXPECT_TRUE(device.take().empty());
    for (PacketBuffer* b : taken) b->release();
    settle();
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(ip_payload(sent[0]), udp(7, 40000, Frame {9, 9}, kOurIp, kPeerIp));
}

TEST_F(NetIpv4, DeviceBusyFramesWaitInTheBacklog) {
    configure_static();
    learn_peer();
    device.busy = true;
    for (int i = 0; i < 3; ++i) device.receive(udp_frame(40000, 7, Frame {u8(i)}));
    settle();
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(stack.ethernet().backlog(), 3u);
    device.make_ready();
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(sent[i][42], u8(i));
}

// Queued datagrams are copied out of the device's buffers as they arrive:
// a reader that has not come yet holds none of them. The queue is a ring,
// and a datagram that wraps its end comes out whole.
TEST_F(NetIpv4, QueuedDatagramsAreCopiedOutAndWrapTheRing) {
    configure_static();
    constexpr usize kRecord = UdpSocket::kQueuedHeader + 8;
    UdpSocket socket(stack, udp_queue(2 * kRecord + 5));  // a third record wraps the end
    ASSERT_TRUE(socket.bind(6000).ok());
    const usize free_before = device.rx_pool.free_count();
    for (u8 i = 0; i < 2; ++i) device.receive(udp_frame(40000 + i, 6000, Frame(8, i)));
    settle();
    EXPECT_EQ(device.rx_pool.free_count(), free_before);
    EXPECT_EQ(socket.stats().queued, 2u);
    EXPECT_EQ(socket.receive_queue_bytes(), 2 * kRecord);
    u8 buffer[16];
    auto take = [&](u8 expected) {
        UdpReceiveRequest rx([](Request&) {});
        rx.buffer = Bytes(buffer, sizeof(buffer));
        ASSERT_TRUE(socket.receive(rx).ok());
        settle();
        ASSERT_TRUE(rx.ok());
        EXPECT_EQ(rx.value(), 8u);
        EXPECT_EQ(rx.from.port, 40000 + expected);
        for (usize b = 0; b < 8; ++b) EXPECT_EQ(buffer[b], expected) << b;
    };
    take(0);
    device.receive(udp_frame(40002, 6000, Frame(8, 2)));  // starts 5 bytes before the end
    settle();
    EXPECT_EQ(socket.stats().queued, 2u);
    EXPECT_EQ(socket.stats().queue_full, 0u);
    take(1);
    take(2);
    EXPECT_EQ(socket.stats().queued, 0u);
    EXPECT_EQ(socket.receive_queue_bytes(), 0u);
    socket.close();
    settle();
}

TEST_F(NetIpv4, SocketReceiveQueueOverflowIsCounted) {
    configure_static();
    // Room for four one-byte datagrams.
    UdpSocket socket(stack, udp_queue(4 * (UdpSocket::kQueuedHeader + 1)));
    ASSERT_TRUE(socket.bind(6000).ok());
    for (int i = 0; i < 7; ++i) device.receive(udp_frame(40000 + i, 6000, Frame {u8(i)}));
    settle();
    EXPECT_EQ(socket.stats().queued, 4u);
    EXPECT_EQ(socket.stats().queue_full, 3u);
    EXPECT_EQ(stack.udp().counters.socket_queue_full, 3u);
    // Receives drain the queue in order, with the sender's endpoint.
    u8 buffer[1];
    for (int i = 0; i < 4; ++i) {
        UdpReceiveRequest rx([](Request&) {});
        rx.buffer = Bytes(buffer, 1);
        ASSERT_TRUE(socket.receive(rx).ok());
        settle();
        EXPECT_TRUE(rx.ok());
        EXPECT_EQ(buffer[0], u8(i));
        EXPECT_EQ(rx.from.port, 40000 + i);
        EXPECT_EQ(rx.from.address, Ipv4Address::from(10, 0, 2, 2));
    }
    // Many receives outstanding, then cancelled by close.
    UdpReceiveRequest pending[3];
    int cancelled = 0;
    for (auto& r : pending) {
        r.set_callback([](Request& q) { ++*static_cast<int*>(q.context()); }, &cancelled);
        r.buffer = Bytes(buffer, 1);
        ASSERT_TRUE(socket.receive(r).ok());
    }
    device.receive(udp_frame(40000, 6000, Frame {7, 7}));  // truncated into 1 byte
    settle();
    EXPECT_TRUE(pending[0].ok());
    EXPECT_TRUE(pending[0].truncated);
    EXPECT_EQ(pending[0].length, 2u);
    socket.close();
    settle();
    EXPECT_EQ(cancelled, 3);
    EXPECT_EQ(pending[2].error(), Error::Cancelled);
}
