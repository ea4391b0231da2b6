// A process with the network capability on a stack whose device is fake
// (10.0.2.15/24 via 10.0.2.2, the peer's MAC already known), for the tests
// of the socket syscalls: socket_calls_test (TCP, UDP) and ping_socket_test.
#pragma once

#include <optional>

#include "socket/socket_table.hpp"
#include "channel_fixture.hpp"
#include "fake_net_device.hpp"
#include "net_frames.hpp"

namespace mote::test {

class SocketFixture : public ChannelTest {
protected:
    // `program`: the name the test's process runs under.
    void start(const char* program) {
        ChannelTest::SetUp();
        host.time = 1000 * kSecond;
        MUST(stack.attach(device));
        NetBootOptions options;
        options.ip = "10.0.2.15/24";
        options.gw = "10.0.2.2";
        stack.start(options);
        settle();
        // The peer's MAC, from its ARP request for us: frames to it go out at once.
        device.receive(ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp)));
        settle();
        device.take();
        sockets.emplace(stack, pages);
        syscalls.set_sockets(&*sockets);
        P = spawn_program(program, {program}).value();
        net = P->handles().install(sockets->capability(), abi::kRightWrite).value();
    }
    void TearDown() override {
        end_all();
        settle();
        sockets.reset();
        syscalls.set_sockets(nullptr);
        stack.stop();
        settle();
    }
    void settle() {
        for (int i = 0; i < 64 && loop.has_ready_work(); ++i) loop.turn(false);
    }

    FakeNetDevice device;
    NetStack stack {loop};
    std::optional<SocketTable> sockets;
    Process* P = nullptr;
    abi::Handle net = abi::kNoHandle;
};

}  // namespace mote::test
