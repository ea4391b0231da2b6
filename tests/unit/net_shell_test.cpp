// The shell's `net` and `ping` on a kernel whose machine has a fake network
// device (and on one without any).
#include <gtest/gtest.h>

#include <string>

#include "boot/kernel.hpp"
#include "support/fake_net_device.hpp"
#include "support/net_frames.hpp"

using namespace mote;
using namespace mote::test;

namespace {

class TextConsole final : public Console {
public:
    void write(StringView text) override { out.append(text.data(), text.length()); }
    bool interactive() const override { return false; }
    std::string out;
};

class NetMachine final : public Machine {
public:
    explicit NetMachine(bool with_device) : m_with_device(with_device) {}
    Nanoseconds now() override { return time; }
    void wait(Loop&, Nanoseconds deadline) override {
        if (deadline != kNoDeadline && deadline > time) time = deadline;
    }
    StringView name() const override { return "net-test"; }
    StringView command_line() const override { return ""; }
    Console& console() override { return console_; }
    void attach_devices(Kernel& kernel) override {
        if (m_with_device) MUST(kernel.net().attach(device));
    }

    Nanoseconds time = 1000 * kSecond;
    TextConsole console_;
    FakeNetDevice device;

private:
    bool m_with_device;
};

struct ShellRig {
    explicit ShellRig(bool with_device) : machine(with_device), kernel(machine) {
        machine.attach_devices(kernel);
        machine.console().set_input(&kernel.shell());
        kernel.shell().start();
    }
    ~ShellRig() {
        kernel.net().stop();
        settle();
        machine.console().set_input(nullptr);
    }
    void type(const std::string& line) {
        std::string l = line + "\n";
        kernel.shell().on_input(ReadonlyBytes(reinterpret_cast<const u8*>(l.data()), l.size()));
        settle();
    }
    void settle() {
        for (int i = 0; i < 64 && kernel.loop().has_ready_work(); ++i) kernel.loop().turn(false);
    }
    NetMachine machine;
    Kernel kernel;
};

}  // namespace

TEST(NetShell, WithoutADeviceBothCommandsSaySo) {
    ShellRig rig(false);
    rig.type("net");
    rig.type("ping 10.0.2.2");
    const std::string& out = rig.machine.console_.out;
    EXPECT_NE(out.find("net\nerror: no network device"), std::string::npos) << out;
    EXPECT_NE(out.find("ping 10.0.2.2\nerror: no network device"), std::string::npos) << out;
}

TEST(NetShell, NetShowsAddressRoutesArpAndCounters) {
    ShellRig rig(true);
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    o.gw = "10.0.2.2";
    rig.kernel.net().start(o);
    rig.machine.device.receive(
        ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp)));
    rig.settle();
    rig.type("net");
    const std::string& out = rig.machine.console_.out;
    for (const char* want : {"net0: fake mac 52:54:00:12:34:56 mtu 1500 link up", "address 10.0.2.15/24 (static)",
                             "route 10.0.2.0/24 on-link", "route default via 10.0.2.2",
                             "10.0.2.2        52:55:0a:00:02:02  reachable, 60 s left", "echo port 7:",
                             "ipv4: received 0", "bad_checksum 0", "arp: received 1 sent 2 requests_answered 1"})
        EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;
}

TEST(NetShell, PingPrintsEachReplyAndASummary) {
    ShellRig rig(true);
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    rig.kernel.net().start(o);
    rig.machine.device.take();
    rig.type("ping 10.0.2.2 2");
    EXPECT_TRUE(rig.kernel.shell().held());
    auto sent = rig.machine.device.take();
    ASSERT_EQ(sent.size(), 1u);  // ARP for 10.0.2.2 first
    rig.machine.device.receive(ethernet(kOurMac, kPeerMac, 0x0806, arp(2, kPeerMac, kPeerIp, kOurMac, kOurIp)));
    rig.settle();
    for (int seq = 0; seq < 2; ++seq) {
        if (seq == 1) {
            rig.machine.time += kSecond;  // the next probe is due
            rig.settle();
            rig.kernel.loop().turn(false);
        }
        sent = rig.machine.device.take();
        ASSERT_EQ(sent.size(), 1u) << seq;
        const Frame& probe = sent[0];
        Frame request(probe.begin() + 34, probe.end());
        unsigned id = get16(request, 4);
        EXPECT_EQ(get16(request, 6), unsigned(seq));
        rig.machine.time += 1234 * kMicrosecond;
        rig.machine.device.receive(
            ethernet(kOurMac, kPeerMac, 0x0800, ipv4(1, icmp(0, id, seq, Frame(request.begin() + 8, request.end())))));
        rig.settle();
    }
    const std::string& out = rig.machine.console_.out;
    EXPECT_NE(out.find("64 bytes from 10.0.2.2: seq=0 ttl=64 time=1.234 ms"), std::string::npos) << out;
    EXPECT_NE(out.find("64 bytes from 10.0.2.2: seq=1 ttl=64 time=1.234 ms"), std::string::npos) << out;
    EXPECT_NE(out.find("--- 10.0.2.2: 2 sent, 2 received, 0% loss"), std::string::npos) << out;
    EXPECT_NE(out.find("rtt min/avg/max = 1.234/1.234/1.234 ms"), std::string::npos) << out;
    EXPECT_FALSE(rig.kernel.shell().held());
}

TEST(NetShell, PingTimeoutsAndBadArguments) {
    ShellRig rig(true);
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    rig.kernel.net().start(o);
    rig.type("ping 10.0.2");
    rig.type("ping 10.0.2.2 0");
    rig.type("ping 8.8.8.8");
    rig.type("ping 10.0.2.9 1");
    rig.machine.time += 2 * kSecond;
    rig.kernel.loop().turn(false);
    rig.settle();
    const std::string& out = rig.machine.console_.out;
    EXPECT_NE(out.find("error: bad host '10.0.2'"), std::string::npos) << out;
    EXPECT_NE(out.find("error: bad count '0'"), std::string::npos) << out;
    EXPECT_NE(out.find("error: no route to 8.8.8.8"), std::string::npos) << out;
    EXPECT_NE(out.find("seq=0: no reply"), std::string::npos) << out;
    EXPECT_NE(out.find("1 sent, 0 received, 100% loss"), std::string::npos) << out;
    EXPECT_FALSE(rig.kernel.shell().held());
}
