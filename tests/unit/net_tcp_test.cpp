// TCP through the whole stack: frames in at the fake device, frames out of
// it. The segments are built and read here byte by byte (not with the codec
// under test), so these tests check the wire, not the code's own opinion.
#include "support/net_fixture.hpp"
#include "support/tcp_frames.hpp"
#include "support/tcp_sim.hpp"

namespace mote::test {
namespace {

class CountingListenerUser final : public TcpListenerUser {
public:
    int ready = 0;
    void tcp_accept_ready(TcpListener&) override { ++ready; }
};

class NetTcpTest : public NetFixture {
protected:
    NetTcpTest() { stack.tcp().set_source(&source); }
    ~NetTcpTest() override {
        if (listener.table_node.is_linked()) stack.tcp().tcp().unlisten(listener);
        for (TcpConnection* c : accepted) {
            c->abort();
            c->close();  // the user lets go: back to the source
        }
        stack.tcp().poke();  // what a socket does after a user call
        settle();
        EXPECT_EQ(source.live, 0u);
        stack.tcp().set_source(nullptr);
    }

    // The three-way handshake from the peer (no options but MSS 1000):
    // returns our ISS.
    uint32_t handshake(unsigned sport, uint32_t peer_iss) {
        Frame mss = {2, 4, 0x03, 0xe8};
        device.receive(tcp_frame(tcp(sport, 80, peer_iss, 0, kSyn, 65535, mss)));
        settle();
        auto out = device.take();
        EXPECT_EQ(out.size(), 1u);
        if (out.empty()) return 0;
        Sent synack = read_sent(out[0]);
        EXPECT_TRUE(synack.checksum_ok);
        EXPECT_EQ(synack.flags, kSyn | kAck);
        EXPECT_EQ(synack.sport, 80u);
        EXPECT_EQ(synack.dport, sport);
        EXPECT_EQ(synack.ack, peer_iss + 1);
        EXPECT_EQ(mss_of(synack.options), 1460u);
        device.receive(tcp_frame(tcp(sport, 80, peer_iss + 1, synack.seq + 1, kAck, 65535)));
        settle();
        EXPECT_TRUE(device.take().empty());
        return synack.seq;
    }

    HeapConnections source;
    CountingListenerUser listener_user;
    TcpListener listener {&listener_user, 4};
    std::vector<TcpConnection*> accepted;
};

TEST_F(NetTcpTest, HandshakeDataAndCloseCrossTheWire) {
    configure_static();
    learn_peer();
    ASSERT_FALSE(stack.tcp().tcp().listen(listener, Ipv4Address {}, 80).is_error());
    const uint32_t iss = handshake(40000, 1000);
    ASSERT_EQ(listener_user.ready, 1);
    TcpConnection* c = listener.accept();
    ASSERT_NE(c, nullptr);
    accepted.push_back(c);
    EXPECT_EQ(c->state(), TcpState::Established);

    // Data from the peer reaches the connection and is acknowledged (PSH:
    // at once or after the delayed-ACK timer; either way within 40 ms).
    Frame hello = {'h', 'e', 'l', 'l', 'o'};
    device.receive(tcp_frame(tcp(40000, 80, 1001, iss + 1, kAck | kPsh, 65535, {}, hello)));
    settle();
    u8 buffer[16];
    auto n = c->read(Bytes(buffer, sizeof buffer));
    ASSERT_FALSE(n.is_error());
    ASSERT_EQ(n.value(), 5u);
    EXPECT_EQ(Frame(buffer, buffer + 5), hello);
    advance(50 * kMillisecond);
    auto acks = device.take();
    ASSERT_FALSE(acks.empty());
    EXPECT_EQ(read_sent(acks.back()).ack, 1006u);

    // Our reply goes out as one segment within the peer's MSS, from the
    // right port, with the right sequence number.
    const u8 reply[] = {'w', 'o', 'r', 'l', 'd'};
    ASSERT_FALSE(c->write(ReadonlyBytes(reply, 5)).is_error());
    stack.tcp().poke();
    settle();
    auto out = device.take();
    ASSERT_EQ(out.size(), 1u);
    Sent data = read_sent(out[0]);
    EXPECT_TRUE(data.checksum_ok);
    EXPECT_EQ(data.seq, iss + 1);
    EXPECT_EQ(data.payload, Frame(reply, reply + 5));

    // Not acknowledged: the retransmission timer sends it again (the
    // stack armed a loop timer for it; nothing else moves the clock).
    advance(1500 * kMillisecond);
    auto again = device.take();
    ASSERT_FALSE(again.empty());
    EXPECT_EQ(read_sent(again[0]).seq, iss + 1);
    EXPECT_EQ(read_sent(again[0]).payload, Frame(reply, reply + 5));
    EXPECT_GE(stack.tcp().tcp().counters.retransmits, 1u);

    // The peer acknowledges and closes; we close too: FIN|ACK, then LAST_ACK
    // ends with the peer's ACK and the connection goes back to its source.
    device.receive(tcp_frame(tcp(40000, 80, 1006, iss + 6, kAck | kFin, 65535)));
    settle();
    (void)device.take();
    c->close();
    accepted.clear();
    stack.tcp().poke();
    settle();
    auto fin = device.take();
    ASSERT_FALSE(fin.empty());
    Sent f = read_sent(fin.back());
    EXPECT_TRUE(f.flags & kFin);
    EXPECT_EQ(f.ack, 1007u);
    device.receive(tcp_frame(tcp(40000, 80, 1007, f.seq + 1, kAck, 65535)));
    advance(10 * kMillisecond);
    EXPECT_EQ(stack.tcp().tcp().connection_count(), 0u);
    EXPECT_EQ(source.live, 0u);
}

TEST_F(NetTcpTest, ASegmentForNoListenerIsAnsweredWithReset) {
    configure_static();
    learn_peer();
    device.receive(tcp_frame(tcp(40001, 81, 5000, 0, kSyn, 65535)));
    settle();
    auto out = device.take();
    ASSERT_EQ(out.size(), 1u);
    Sent rst = read_sent(out[0]);
    EXPECT_TRUE(rst.checksum_ok);
    EXPECT_EQ(rst.flags, kRst | kAck);
    EXPECT_EQ(rst.ack, 5001u);
    EXPECT_EQ(stack.tcp().tcp().counters.no_socket, 1u);
}

TEST_F(NetTcpTest, WithoutConnectionMemoryASynIsRefusedAndCounted) {
    configure_static();
    learn_peer();
    stack.tcp().set_source(nullptr);
    ASSERT_FALSE(stack.tcp().tcp().listen(listener, Ipv4Address {}, 80).is_error());
    device.receive(tcp_frame(tcp(40002, 80, 7000, 0, kSyn, 65535)));
    settle();
    EXPECT_EQ(stack.tcp().tcp().counters.no_connection_memory, 1u);
    EXPECT_EQ(stack.tcp().tcp().connection_count(), 0u);
    stack.tcp().set_source(&source);
}

TEST_F(NetTcpTest, BroadcastAndCorruptSegmentsAreDroppedSilently) {
    configure_static();
    learn_peer();
    ASSERT_FALSE(stack.tcp().tcp().listen(listener, Ipv4Address {}, 80).is_error());
    // To the subnet broadcast: never a connection, never an answer.
    const Frame bcast = {10, 0, 2, 255};
    device.receive(tcp_frame(tcp(40003, 80, 1, 0, kSyn, 65535, {}, {}, kPeerIp, bcast), bcast));
    // A flipped payload bit: the checksum catches it.
    Frame bad = tcp(40004, 80, 1, 0, kSyn, 65535);
    bad[5] ^= 1;
    device.receive(tcp_frame(bad));
    settle();
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(stack.tcp().tcp().counters.bad_address, 1u);
    EXPECT_EQ(stack.tcp().tcp().counters.bad_checksum, 1u);
    EXPECT_EQ(listener.half_open(), 0u);
}

TEST_F(NetTcpTest, ActiveOpenResolvesTheNextHopAndConnects) {
    configure_static();
    learn_peer();
    CountingUser user;
    auto c = stack.tcp().connect(Ipv4Address::from(10, 0, 2, 2), 8080, TcpOptionsConfig {}, &user);
    ASSERT_FALSE(c.is_error());
    settle();
    auto out = device.take();
    ASSERT_EQ(out.size(), 1u);
    Sent syn = read_sent(out[0]);
    EXPECT_EQ(syn.flags, kSyn);
    EXPECT_EQ(syn.dport, 8080u);
    EXPECT_GE(syn.sport, 49152u);
    // Our configured address as the source.
    EXPECT_EQ(Frame(out[0].begin() + 26, out[0].begin() + 30), kOurIp);
    device.receive(tcp_frame(tcp(8080, syn.sport, 9000, syn.seq + 1, kSyn | kAck, 65535, {2, 4, 5, 0xb4})));
    settle();
    EXPECT_EQ(c.value()->state(), TcpState::Established);
    c.value()->abort();
    c.value()->close();
    stack.tcp().poke();
    settle();
    EXPECT_EQ(source.live, 0u);
}

}  // namespace
}  // namespace mote::test
