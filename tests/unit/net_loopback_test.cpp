// The loopback (net/loopback.*): datagrams to 127.0.0.0/8 and to our own
// address come back in through IPv4 on a later loop turn and never reach
// the device; UDP both ways with the right source, a TCP handshake, data
// and close between two connections of the same stack (with and without an
// address), the queue's bound, and loopback sources refused from the wire.
#include <memory>

#include "net/udp_socket.hpp"
#include "support/net_fixture.hpp"
#include "support/tcp_frames.hpp"
#include "support/tcp_sim.hpp"

namespace mote::test {
namespace {

class AcceptCounter final : public TcpListenerUser {
public:
    int ready = 0;
    void tcp_accept_ready(TcpListener&) override { ++ready; }
};

void on_sent(Request&) {}

struct Received {
    std::vector<std::string> payloads;
    std::vector<UdpEndpoint> from;
};

class NetLoopback : public NetFixture {
protected:
    NetLoopback() { stack.tcp().set_source(&source); }
    ~NetLoopback() override {
        stack.tcp().poke();
        settle();
        stack.tcp().set_source(nullptr);
    }

    // Everything `socket` has queued, taken synchronously.
    Received drain(UdpSocket& socket) {
        Received out;
        for (;;) {
            u8 bytes[256];
            UdpReceiveRequest rx(nullptr);
            rx.buffer = Bytes(bytes, sizeof(bytes));
            if (!socket.take(rx)) break;
            out.payloads.emplace_back(reinterpret_cast<char*>(bytes), rx.length);
            out.from.push_back(rx.from);
        }
        return out;
    }

    void send(UdpSocket& socket, Ipv4Address to, u16 port, const std::string& text) {
        UdpSendRequest tx(on_sent);
        tx.data = ReadonlyBytes(reinterpret_cast<const u8*>(text.data()), text.size());
        tx.to = {to, port};
        ASSERT_TRUE(socket.send(tx).ok());
        settle();
    }

    HeapConnections source;
};

const Ipv4Address kLocalhost = Ipv4Address::from(127, 0, 0, 1);
const Ipv4Address kOurs = Ipv4Address::from(10, 0, 2, 15);

TEST_F(NetLoopback, UdpToLocalhostAndToOurAddressNeverReachesTheDevice) {
    configure_static();
    UdpSocket server(stack, udp_queue()), client(stack, udp_queue());
    ASSERT_TRUE(server.bind(9999).ok());
    ASSERT_TRUE(client.bind(0).ok());
    send(client, kLocalhost, 9999, "to localhost");
    send(client, kOurs, 9999, "to ourselves");
    Received got = drain(server);
    ASSERT_EQ(got.payloads.size(), 2u);
    EXPECT_EQ(got.payloads[0], "to localhost");
    EXPECT_EQ(got.from[0].address, kLocalhost);  // the loopback source
    EXPECT_EQ(got.from[0].port, client.port());
    EXPECT_EQ(got.payloads[1], "to ourselves");
    EXPECT_EQ(got.from[1].address, kOurs);
    // And back, as an echo server answers its sender.
    send(server, got.from[0].address, got.from[0].port, "back");
    Received back = drain(client);
    ASSERT_EQ(back.payloads.size(), 1u);
    EXPECT_EQ(back.payloads[0], "back");
    EXPECT_TRUE(device.take().empty());
    EXPECT_EQ(stack.ipv4().counters.looped, 3u);
    EXPECT_EQ(stack.udp().counters.bad_checksum, 0u);
    server.close();
    client.close();
    settle();
}

TEST_F(NetLoopback, WorksBeforeTheStackHasAnAddress) {
    UdpSocket server(stack, udp_queue()), client(stack, udp_queue());
    ASSERT_TRUE(server.bind(7777).ok());
    ASSERT_TRUE(client.bind(0).ok());
    send(client, kLocalhost, 7777, "early");
    Received got = drain(server);
    ASSERT_EQ(got.payloads.size(), 1u);
    EXPECT_EQ(got.from[0].address, kLocalhost);
    // Our future address is not local yet: no route, nothing sent.
    UdpSendRequest tx(on_sent);
    tx.data = ReadonlyBytes(reinterpret_cast<const u8*>("x"), 1);
    tx.to = {kOurs, 7777};
    EXPECT_TRUE(client.send(tx).is_error());
    server.close();
    client.close();
    settle();
}

TEST_F(NetLoopback, TcpHandshakeDataAndCloseWithinOneStack) {
    for (bool configured : {false, true}) {
        if (configured) configure_static();
        AcceptCounter listener_user;
        TcpListener listener {&listener_user, 4};
        ASSERT_TRUE(stack.tcp().tcp().listen(listener, {}, 80).ok());
        CountingUser user;
        const Ipv4Address to = configured ? kOurs : kLocalhost;
        auto c = stack.tcp().connect(to, 80, TcpOptionsConfig {}, &user);
        ASSERT_FALSE(c.is_error()) << configured;
        settle();
        EXPECT_EQ(c.value()->state(), TcpState::Established) << configured;
        TcpConnection* accepted = listener.accept();
        ASSERT_NE(accepted, nullptr);
        const char text[] = "GET / HTTP/1.0\r\n\r\n";
        ASSERT_EQ(c.value()->write(ReadonlyBytes(reinterpret_cast<const u8*>(text), sizeof(text) - 1)).value(),
                  sizeof(text) - 1);
        stack.tcp().poke();
        settle();
        u8 buffer[64];
        auto n = accepted->read(Bytes(buffer, sizeof(buffer)));
        ASSERT_TRUE(n.ok());
        EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), n.value()), text);
        c.value()->close();
        accepted->close();
        stack.tcp().poke();
        settle();
        stack.tcp().tcp().unlisten(listener);
        EXPECT_TRUE(device.take().empty()) << configured;
    }
}

TEST_F(NetLoopback, TheQueueIsBoundedAndAFullOneDropsAndCounts) {
    configure_static();
    UdpSocket server(stack, udp_queue()), client(stack, udp_queue());
    ASSERT_TRUE(server.bind(9999).ok());
    ASSERT_TRUE(client.bind(0).ok());
    // Sent within one turn: the loopback delivers only on the next.
    std::vector<std::unique_ptr<UdpSendRequest>> sends;
    for (usize i = 0; i < Loopback::kQueueMax + 5; ++i) {
        sends.push_back(std::make_unique<UdpSendRequest>(on_sent));
        UdpSendRequest& tx = *sends.back();
        tx.data = ReadonlyBytes(reinterpret_cast<const u8*>("x"), 1);
        tx.to = {kLocalhost, 9999};
        ASSERT_TRUE(client.send(tx).ok());
    }
    EXPECT_EQ(stack.loopback().queued(), Loopback::kQueueMax);
    EXPECT_EQ(stack.ipv4().counters.loopback_full, 5u);
    settle();
    EXPECT_EQ(drain(server).payloads.size(), Loopback::kQueueMax);
    EXPECT_EQ(stack.tx_pool().free_count(), NetStack::kTxBuffers);
    server.close();
    client.close();
    settle();
}

TEST_F(NetLoopback, LoopbackAndOurOwnSourcesAreRefusedFromTheWire) {
    configure_static();
    learn_peer();
    UdpSocket server(stack, udp_queue());
    ASSERT_TRUE(server.bind(9999).ok());
    const u64 before = stack.ipv4().counters.bad_source;
    device.receive(ethernet(kOurMac, kPeerMac, 0x0800,
                            ipv4(17, udp(1234, 9999, Frame(4, 1), {127, 0, 0, 1}, kOurIp), {127, 0, 0, 1}, kOurIp)));
    device.receive(ethernet(kOurMac, kPeerMac, 0x0800,
                            ipv4(17, udp(1234, 9999, Frame(4, 1), kOurIp, kOurIp), kOurIp, kOurIp)));
    settle();
    EXPECT_EQ(stack.ipv4().counters.bad_source, before + 2);
    // And a datagram from the wire to 127.0.0.1 is not ours.
    device.receive(ethernet(kOurMac, kPeerMac, 0x0800,
                            ipv4(17, udp(1234, 9999, Frame(4, 1), kPeerIp, {127, 0, 0, 1}), kPeerIp, {127, 0, 0, 1})));
    settle();
    EXPECT_EQ(stack.ipv4().counters.not_for_us, 1u);
    EXPECT_TRUE(drain(server).payloads.empty());
    server.close();
    settle();
}

}  // namespace
}  // namespace mote::test
