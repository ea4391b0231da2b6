// ARP: replies byte for byte, gratuitous announcement, resolution with
// bounded waiting queues, retries, expiry and refresh, malformed packets.
#include "support/net_fixture.hpp"

using namespace mote;
using namespace mote::test;

class NetArp : public NetFixture {};

TEST_F(NetArp, AnswersRequestForOurAddressExactly) {
    configure_static();
    device.receive(ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp)));
    settle();
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    Frame expected = ethernet(kPeerMac, kOurMac, 0x0806, arp(2, kOurMac, kOurIp, kPeerMac, kPeerIp));
    EXPECT_EQ(sent[0], expected);
    EXPECT_EQ(sent[0].size(), 60u);
    EXPECT_EQ(stack.arp().counters.requests_answered, 1u);
    ASSERT_NE(stack.arp().cache().find(Ipv4Address::from(10, 0, 2, 2)), nullptr);
}

TEST_F(NetArp, GratuitousAnnouncementOnConfigure) {
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    stack.start(o);
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], ethernet(kBroadcastMac, kOurMac, 0x0806, arp(1, kOurMac, kOurIp, Frame(6, 0), kOurIp)));
    EXPECT_EQ(stack.arp().counters.gratuitous_sent, 1u);
}

TEST_F(NetArp, IgnoresRequestsForOthersAndMalformed) {
    configure_static();
    device.receive(ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), {10, 0, 2, 99})));
    Frame bad_hw = arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp);
    bad_hw[1] = 6;
    Frame bad_proto = arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp);
    bad_proto[2] = 0x86;
    Frame bad_sizes = arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp);
    bad_sizes[4] = 8;
    Frame bad_op = arp(9, kPeerMac, kPeerIp, Frame(6, 0), kOurIp);
    Frame bad_sender = arp(1, kBroadcastMac, kPeerIp, Frame(6, 0), kOurIp);
    Frame truncated = Frame(bad_op.begin(), bad_op.begin() + 20);
    for (const Frame& p : {bad_hw, bad_proto, bad_sizes, bad_op, bad_sender, truncated})
        device.receive(ethernet(kBroadcastMac, kPeerMac, 0x0806, p, /*pad=*/false));
    settle();
    EXPECT_TRUE(device.take().empty());
    const ArpCounters& c = stack.arp().counters;
    EXPECT_EQ(c.not_for_us, 1u);
    EXPECT_EQ(c.bad_hardware, 1u);
    EXPECT_EQ(c.bad_protocol, 1u);
    EXPECT_EQ(c.bad_sizes, 1u);
    EXPECT_EQ(c.bad_operation, 1u);
    EXPECT_EQ(c.bad_sender, 1u);
    EXPECT_EQ(c.truncated, 1u);
    EXPECT_EQ(stack.arp().cache().size(), 0u);
    EXPECT_EQ(device.rx_pool.free_count(), FakeNetDevice::kRxBuffers);
}

TEST_F(NetArp, QueuesWhileResolvingThenSendsInOrder) {
    configure_static();
    UdpSocket socket(stack, udp_queue());
    ASSERT_TRUE(socket.bind(5000).ok());
    u8 payload[6][4];
    UdpSendRequest sends[6];
    for (int i = 0; i < 6; ++i) {
        payload[i][0] = u8(i);
        sends[i].set_callback([](Request&) {});
        sends[i].data = ReadonlyBytes(payload[i], 1);
        sends[i].to = UdpEndpoint {Ipv4Address::from(10, 0, 2, 7), 9};
        ASSERT_TRUE(socket.send(sends[i]).ok());
    }
    settle();
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);  // one ARP request, broadcast
    EXPECT_EQ(sent[0], ethernet(kBroadcastMac, kOurMac, 0x0806, arp(1, kOurMac, kOurIp, Frame(6, 0), {10, 0, 2, 7})));
    EXPECT_EQ(stack.arp().counters.queued, 6u);
    EXPECT_EQ(stack.arp().counters.queue_full, 2u);  // 4 wait; the 2 oldest dropped

    Frame other_mac = {0x02, 0, 0, 0, 0, 7};
    device.receive(ethernet(kOurMac, other_mac, 0x0806, arp(2, other_mac, {10, 0, 2, 7}, kOurMac, kOurIp)));
    settle();
    sent = device.take();
    ASSERT_EQ(sent.size(), 4u);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(Frame(sent[i].begin(), sent[i].begin() + 6), other_mac);
        EXPECT_EQ(sent[i][42], u8(i + 2));  // the newest four, in order
    }
    EXPECT_EQ(stack.arp().counters.replies_learned, 1u);
    socket.close();
    settle();
}

TEST_F(NetArp, UnansweredResolutionRetriesThenDrops) {
    configure_static();
    ASSERT_TRUE(stack.icmp().send_echo_request(Ipv4Address::from(10, 0, 2, 8), 1, 1, 8).ok());
    settle();
    EXPECT_EQ(device.take().size(), 1u);
    advance(1 * kSecond);
    EXPECT_EQ(device.take().size(), 1u);  // retry 2
    advance(1 * kSecond);
    EXPECT_EQ(device.take().size(), 1u);  // retry 3
    advance(1 * kSecond);
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(stack.arp().counters.unresolved_dropped, 1u);
    EXPECT_EQ(stack.arp().cache().find(Ipv4Address::from(10, 0, 2, 8)), nullptr);
    EXPECT_EQ(stack.tx_pool().free_count(), NetStack::kTxBuffers);
}

TEST_F(NetArp, EntriesRefreshWhenUsedAndExpireWhenNot) {
    configure_static();
    learn_peer();
    ArpEntry* e = stack.arp().cache().find(Ipv4Address::from(10, 0, 2, 2));
    ASSERT_NE(e, nullptr);
    // Used: a unicast refresh goes out shortly before expiry.
    ASSERT_TRUE(stack.icmp().send_echo_request(Ipv4Address::from(10, 0, 2, 2), 1, 1, 8).ok());
    device.take();
    advance(Arp::kReachableTime - Arp::kRefreshWindow);
    auto sent = device.take();
    ASSERT_GE(sent.size(), 1u);
    EXPECT_EQ(sent[0], ethernet(kPeerMac, kOurMac, 0x0806, arp(1, kOurMac, kOurIp, Frame(6, 0), kPeerIp)));
    EXPECT_EQ(stack.arp().counters.refreshes, 1u);
    // Answered: the entry lives on.
    device.receive(ethernet(kOurMac, kPeerMac, 0x0806, arp(2, kPeerMac, kPeerIp, kOurMac, kOurIp)));
    settle();
    advance(10 * kSecond);
    EXPECT_NE(stack.arp().cache().find(Ipv4Address::from(10, 0, 2, 2)), nullptr);
    // Not used again: no refresh, and it expires.
    device.take();
    advance(Arp::kReachableTime);
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(stack.arp().cache().find(Ipv4Address::from(10, 0, 2, 2)), nullptr);
}

TEST_F(NetArp, WaitingPacketsAreBoundedAcrossTheCache) {
    configure_static();
    for (u8 host = 20; host < 30; ++host)
        for (u16 seq = 0; seq < 4; ++seq)
            ASSERT_TRUE(stack.icmp().send_echo_request(Ipv4Address::from(10, 0, 2, host), 1, seq, 8).ok());
    settle();
    EXPECT_EQ(stack.arp().cache().waiting(), ArpCache::kMaxWaitingTotal);
    EXPECT_EQ(stack.arp().counters.queue_full, 40u - ArpCache::kMaxWaitingTotal);
    advance(4 * kSecond);
    EXPECT_EQ(stack.arp().cache().waiting(), 0u);
    EXPECT_EQ(stack.tx_pool().free_count(), NetStack::kTxBuffers);
}

TEST_F(NetArp, LookupsNobodyAnswersDoNotPushOutAResolvedNeighbour) {
    // A flood from made-up sources has Mote resolve each one; the peer it
    // really talks to (the gateway) must stay in the cache throughout.
    // Late in its life the neighbour's deadline comes before any new
    // lookup's retry: it must still not be the one pushed out.
    configure_static();
    learn_peer();
    advance(Arp::kReachableTime - 500 * kMillisecond);
    for (u32 i = 0; i < 4 * ArpCache::kEntries; ++i) {
        ASSERT_TRUE(stack.icmp().send_echo_request(Ipv4Address::from(10, 0, 2, u8(100 + i % 100)), 1, u16(i), 8).ok());
        settle();
        advance(1 * kMillisecond);
    }
    EXPECT_GT(stack.arp().counters.cache_evictions, 0u);
    ArpEntry* peer = stack.arp().cache().find(Ipv4Address::from(10, 0, 2, 2));
    ASSERT_NE(peer, nullptr);
    EXPECT_EQ(peer->state, ArpState::Reachable);
}
