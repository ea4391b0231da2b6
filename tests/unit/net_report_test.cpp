// The network report (sys/net, the `net` program) on a stack whose device
// is fake, and on one without any device.
#include <gtest/gtest.h>

#include <string>

#include "net/net_report.hpp"
#include "support/net_fixture.hpp"

using namespace mote;
using namespace mote::test;

namespace {

Result<void> report(NetStack& stack, std::string& out) {
    return write_net_report(
        stack,
        [](StringView line, void* context) {
            auto* text = static_cast<std::string*>(context);
            text->append(line.data(), line.length());
            text->append("\n");
        },
        &out);
}

class NetReport : public NetFixture {};

}  // namespace

TEST(NetReportAlone, WithoutADeviceSaysSo) {
    FakeHost host;
    Loop loop(host);
    NetStack stack(loop);
    std::string out;
    auto r = report(stack, out);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::NotFound) << out;
}

TEST_F(NetReport, ShowsAddressRoutesArpAndCounters) {
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    o.gw = "10.0.2.2";
    stack.start(o);
    device.receive(ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp)));
    settle();
    std::string out;
    ASSERT_TRUE(report(stack, out).ok());
    for (const char* want : {"net0: fake mac 52:54:00:12:34:56 mtu 1500 link up", "address 10.0.2.15/24 (static)",
                             "route 10.0.2.0/24 on-link", "route default via 10.0.2.2",
                             "10.0.2.2        52:55:0a:00:02:02  reachable, 60 s left", "ipv4: received 0",
                             "bad_checksum 0", "arp: received 1 sent 2 requests_answered 1"})
        EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;
}
