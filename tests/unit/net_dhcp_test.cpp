// DHCP: a full exchange against a scripted server, renewal and rebinding on
// the fake clock, NAK, and malformed replies with their counters.
#include "net/dhcp_message.hpp"
#include "support/net_fixture.hpp"

using namespace mote;
using namespace mote::test;

namespace {
// The DHCP message inside a frame the client sent (UDP payload).
Frame dhcp_of(const Frame& f) {
    EXPECT_GE(f.size(), 42u + 240u);
    return Frame(f.begin() + 42, f.end());
}
uint32_t xid_of(const Frame& m) { return (uint32_t(get16(m, 4)) << 16) | get16(m, 6); }
// Value of option `code` in a client message, empty if absent.
Frame option(const Frame& m, uint8_t code) {
    for (size_t i = 240; i < m.size();) {
        if (m[i] == 0) {
            ++i;
            continue;
        }
        if (m[i] == 255) break;
        if (m[i] == code) return Frame(m.begin() + i + 2, m.begin() + i + 2 + m[i + 1]);
        i += 2 + m[i + 1];
    }
    return {};
}
Frame server_frame(const Frame& dhcp, const Frame& dst_mac = kBroadcastMac,
                   const Frame& dst_ip = Frame {255, 255, 255, 255}) {
    return ethernet(dst_mac, kPeerMac, 0x0800, ipv4(17, udp(67, 68, dhcp, kPeerIp, dst_ip), kPeerIp, dst_ip));
}
}  // namespace

class NetDhcp : public NetFixture {
protected:
    // Runs DISCOVER/OFFER/REQUEST/ACK; returns the xid.
    uint32_t obtain_lease() {
        stack.start(NetBootOptions {});
        settle();
        auto sent = device.take();
        EXPECT_EQ(sent.size(), 1u);
        Frame discover = dhcp_of(sent.at(0));
        EXPECT_EQ(Frame(sent[0].begin(), sent[0].begin() + 6), kBroadcastMac);
        EXPECT_EQ(Frame(sent[0].begin() + 26, sent[0].begin() + 34), (Frame {0, 0, 0, 0, 255, 255, 255, 255}));
        EXPECT_EQ(get16(sent[0], 34), 68u);
        EXPECT_EQ(get16(sent[0], 36), 67u);
        EXPECT_EQ(discover[0], 1);
        EXPECT_EQ(Frame(discover.begin() + 28, discover.begin() + 34), kOurMac);
        EXPECT_EQ(option(discover, 53), Frame {1});
        EXPECT_GE(discover.size(), 300u);
        uint32_t xid = xid_of(discover);

        device.receive(server_frame(dhcp_reply(2, xid, kOurIp)));
        settle();
        sent = device.take();
        EXPECT_EQ(sent.size(), 1u);
        Frame request = dhcp_of(sent.at(0));
        EXPECT_EQ(option(request, 53), Frame {3});
        EXPECT_EQ(option(request, 50), kOurIp);
        EXPECT_EQ(option(request, 54), kPeerIp);
        EXPECT_EQ(xid_of(request), xid);
        EXPECT_EQ(stack.dhcp().state(), DhcpState::Requesting);

        device.receive(server_frame(dhcp_reply(5, xid, kOurIp)));
        settle();
        return xid;
    }
};

TEST_F(NetDhcp, FullExchangeConfiguresTheStack) {
    obtain_lease();
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Bound);
    const Ipv4Config& c = stack.config();
    EXPECT_EQ(c.address, Ipv4Address::from(10, 0, 2, 15));
    EXPECT_EQ(c.netmask, Ipv4Address::from(255, 255, 255, 0));
    EXPECT_EQ(c.gateway, Ipv4Address::from(10, 0, 2, 2));
    EXPECT_EQ(c.source, ConfigSource::Dhcp);
    EXPECT_EQ(stack.dhcp().lease().expires - stack.dhcp().lease().obtained, 3600 * kSecond);
    // The new address is announced.
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], ethernet(kBroadcastMac, kOurMac, 0x0806, arp(1, kOurMac, kOurIp, Frame(6, 0), kOurIp)));
    const DhcpCounters& d = stack.dhcp().counters;
    EXPECT_EQ(d.discovers, 1u);
    EXPECT_EQ(d.offers, 1u);
    EXPECT_EQ(d.requests, 1u);
    EXPECT_EQ(d.acks, 1u);
}

TEST_F(NetDhcp, RenewsAtT1ByUnicastThenRebindsAtT2) {
    uint32_t xid = obtain_lease();
    device.take();
    learn_peer();
    advance(1800 * kSecond - kMillisecond);
    EXPECT_TRUE(device.take().empty());
    advance(kMillisecond);
    // The server's ARP entry has long expired: resolve it, then the renewal
    // goes out.
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0], ethernet(kBroadcastMac, kOurMac, 0x0806, arp(1, kOurMac, kOurIp, Frame(6, 0), kPeerIp)));
    device.receive(ethernet(kOurMac, kPeerMac, 0x0806, arp(2, kPeerMac, kPeerIp, kOurMac, kOurIp)));
    settle();
    sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(Frame(sent[0].begin(), sent[0].begin() + 6), kPeerMac);  // unicast to the server
    EXPECT_EQ(Frame(sent[0].begin() + 26, sent[0].begin() + 34), (Frame {10, 0, 2, 15, 10, 0, 2, 2}));
    Frame renew = dhcp_of(sent[0]);
    EXPECT_EQ(option(renew, 53), Frame {3});
    EXPECT_TRUE(option(renew, 50).empty());  // RFC 2131 4.3.2: ciaddr instead
    EXPECT_EQ(Frame(renew.begin() + 12, renew.begin() + 16), kOurIp);
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Renewing);
    EXPECT_EQ(stack.dhcp().counters.renewals, 1u);

    device.receive(server_frame(dhcp_reply(5, xid, kOurIp), kOurMac, kOurIp));
    settle();
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Bound);
    EXPECT_EQ(stack.dhcp().lease().obtained, host.time);
    EXPECT_TRUE(stack.config().configured());

    // No answer this time: retries, then rebinding by broadcast at T2,
    // then the lease expires and the client starts over.
    learn_peer();
    advance(1800 * kSecond);
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Renewing);
    advance(1350 * kSecond);  // T2 = 7/8 of 3600 s
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Rebinding);
    EXPECT_EQ(stack.dhcp().counters.rebinds, 1u);
    advance(450 * kSecond);
    EXPECT_EQ(stack.dhcp().counters.lease_expired, 1u);
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Selecting);
    EXPECT_FALSE(stack.config().configured());
}

TEST_F(NetDhcp, DiscoverIsRetransmittedWithBackoff) {
    stack.start(NetBootOptions {});
    settle();
    EXPECT_EQ(device.take().size(), 1u);
    advance(5 * kSecond);  // 4 s +- 1 s
    EXPECT_EQ(device.take().size(), 1u);
    advance(9 * kSecond);  // 8 s +- 1 s
    EXPECT_EQ(device.take().size(), 1u);
    EXPECT_EQ(stack.dhcp().counters.discovers, 3u);
}

TEST_F(NetDhcp, NakStartsOver) {
    stack.start(NetBootOptions {});
    settle();
    uint32_t xid = xid_of(dhcp_of(device.take().at(0)));
    device.receive(server_frame(dhcp_reply(2, xid, kOurIp)));
    settle();
    device.take();
    device.receive(server_frame(dhcp_reply(6, xid, kOurIp)));
    settle();
    EXPECT_EQ(stack.dhcp().counters.naks, 1u);
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Selecting);
    auto sent = device.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(option(dhcp_of(sent[0]), 53), Frame {1});
}

TEST_F(NetDhcp, MalformedRepliesAreCountedByReason) {
    stack.start(NetBootOptions {});
    settle();
    uint32_t xid = xid_of(dhcp_of(device.take().at(0)));
    Frame ok = dhcp_reply(2, xid, kOurIp);
    Frame truncated(ok.begin(), ok.begin() + 200);
    Frame bad_op = ok;
    bad_op[0] = 1;
    Frame bad_magic = ok;
    bad_magic[236] = 0;
    Frame overrun = dhcp_reply(2, xid, kOurIp, Frame {12, 40, 'm', 'o'}, /*end=*/false);
    Frame bad_option = dhcp_reply(2, xid, kOurIp, Frame {51, 2, 0, 1});
    Frame no_type = ok;
    no_type[240] = 0;  // the type option becomes pad + garbage-free run
    no_type[241] = 0;
    no_type[242] = 0;
    Frame wrong_xid = dhcp_reply(2, xid + 1, kOurIp);
    for (const Frame& m : {truncated, bad_op, bad_magic, overrun, bad_option, no_type, wrong_xid})
        device.receive(server_frame(m));
    settle();
    const DhcpCounters& d = stack.dhcp().counters;
    EXPECT_EQ(d.truncated, 1u);
    EXPECT_EQ(d.bad_op, 1u);
    EXPECT_EQ(d.bad_magic, 1u);
    EXPECT_EQ(d.options_overrun, 1u);
    EXPECT_EQ(d.bad_option, 1u);
    EXPECT_EQ(d.missing_option, 1u);
    EXPECT_EQ(d.bad_xid, 1u);
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Selecting);
    EXPECT_TRUE(device.take().empty());
    // Still listening: a good offer works.
    device.receive(server_frame(ok));
    settle();
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Requesting);
}

TEST_F(NetDhcp, StaticAddressFromTheCommandLineSkipsDhcp) {
    NetBootOptions o;
    o.ip = "192.168.7.9/16";
    o.gw = "192.168.0.1";
    stack.start(o);
    EXPECT_EQ(stack.dhcp().state(), DhcpState::Stopped);
    EXPECT_EQ(stack.config().address, Ipv4Address::from(192, 168, 7, 9));
    EXPECT_EQ(stack.config().netmask, Ipv4Address::from(255, 255, 0, 0));
    EXPECT_EQ(stack.config().gateway, Ipv4Address::from(192, 168, 0, 1));
    EXPECT_EQ(stack.config().source, ConfigSource::Static);
}

TEST(NetAddress, ParseAndFormat) {
    Ipv4Address a;
    u8 prefix = 0;
    EXPECT_TRUE(parse_ipv4("10.0.2.15", a));
    EXPECT_EQ(a, Ipv4Address::from(10, 0, 2, 15));
    for (const char* bad : {"", "10.0.2", "10.0.2.256", "10.0.2.15.", "1..2.3", "a.b.c.d", "0001.0.0.1", "10.0.2.15 "})
        EXPECT_FALSE(parse_ipv4(bad, a)) << bad;
    EXPECT_TRUE(parse_ipv4_prefix("10.0.0.1/8", a, prefix));
    EXPECT_EQ(prefix, 8);
    EXPECT_FALSE(parse_ipv4_prefix("10.0.0.1/33", a, prefix));
    EXPECT_FALSE(parse_ipv4_prefix("10.0.0.1/", a, prefix));
    EXPECT_EQ(netmask_from_prefix(24), Ipv4Address::from(255, 255, 255, 0));
    EXPECT_EQ(prefix_from_netmask(Ipv4Address::from(255, 255, 240, 0)), 20);
    EXPECT_STREQ(ip_text(Ipv4Address::from(192, 168, 0, 255)).text, "192.168.0.255");
    EXPECT_STREQ(mac_text(MacAddress {{0x52, 0x54, 0, 0x12, 0x34, 0xab}}).text, "52:54:00:12:34:ab");
}
