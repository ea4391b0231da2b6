// The network report (sys/net, the `net` program) on a kernel whose machine
// has a fake network device, and on one without any.
#include <gtest/gtest.h>

#include <string>

#include "boot/kernel.hpp"
#include "net/net_report.hpp"
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

struct NetRig {
    explicit NetRig(bool with_device) : machine(with_device), kernel(machine) { machine.attach_devices(kernel); }
    ~NetRig() {
        kernel.net().stop();
        settle();
    }
    void settle() {
        for (int i = 0; i < 64 && kernel.loop().has_ready_work(); ++i) kernel.loop().turn(false);
    }
    Result<void> report(std::string& out) {
        return write_net_report(
            kernel.net(),
            [](StringView line, void* context) {
                auto* text = static_cast<std::string*>(context);
                text->append(line.data(), line.length());
                text->append("\n");
            },
            &out);
    }
    NetMachine machine;
    Kernel kernel;
};

}  // namespace

TEST(NetReport, WithoutADeviceSaysSo) {
    NetRig rig(false);
    std::string out;
    auto r = rig.report(out);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::NotFound) << out;
}

TEST(NetReport, ShowsAddressRoutesArpAndCounters) {
    NetRig rig(true);
    NetBootOptions o;
    o.ip = "10.0.2.15/24";
    o.gw = "10.0.2.2";
    rig.kernel.net().start(o);
    rig.machine.device.receive(
        ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp)));
    rig.settle();
    std::string out;
    ASSERT_TRUE(rig.report(out).ok());
    for (const char* want : {"net0: fake mac 52:54:00:12:34:56 mtu 1500 link up", "address 10.0.2.15/24 (static)",
                             "route 10.0.2.0/24 on-link", "route default via 10.0.2.2",
                             "10.0.2.2        52:55:0a:00:02:02  reachable, 60 s left", "ipv4: received 0",
                             "bad_checksum 0", "arp: received 1 sent 2 requests_answered 1"})
        EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;
}
