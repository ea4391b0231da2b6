// A network stack on a fake device and a fake clock, for the net tests.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "net/net_stack.hpp"
#include "echo_service.hpp"
#include "fake_host.hpp"
#include "fake_net_device.hpp"
#include "net_frames.hpp"

namespace mote::test {

class NetFixture : public ::testing::Test {
protected:
    NetFixture() : loop(host), stack(loop) {
        host.time = 1000 * kSecond;
        MUST(stack.attach(device));
    }
    ~NetFixture() override {
        echo.stop();
        stack.stop();
        settle();
    }

    // Static 10.0.2.15/24 via 10.0.2.2, echo on 7; forgets the gratuitous ARP.
    void configure_static() {
        NetBootOptions o;
        o.ip = "10.0.2.15/24";
        o.gw = "10.0.2.2";
        stack.start(o);
        MUST(echo.start(7));
        settle();
        device.take();
    }
    // Teaches the ARP cache the peer's MAC (by its request for us).
    void learn_peer() {
        device.receive(ethernet(kBroadcastMac, kPeerMac, 0x0806, arp(1, kPeerMac, kPeerIp, Frame(6, 0), kOurIp)));
        settle();
        device.take();
    }
    // Storage for a UdpSocket's receive queue (the kernel's sockets get
    // theirs from their owner: pages, or a member array), kept by the
    // fixture, so it outlives the test's sockets.
    Bytes udp_queue(usize bytes = 16 * 1024) {
        udp_queues.emplace_back(bytes);
        return Bytes(udp_queues.back().data(), bytes);
    }
    // Runs the loop until nothing is ready, without moving the clock.
    void settle() {
        for (int i = 0; i < 64 && loop.has_ready_work(); ++i) loop.turn(false);
    }
    // Moves the clock forward by `delta`, firing what falls due.
    void advance(Nanoseconds delta) {
        Nanoseconds end = host.time + delta;
        while (true) {
            Nanoseconds next = loop.timers().next_deadline();
            if (next > end) break;
            host.time = max(host.time, next);
            loop.turn(false);
            settle();
        }
        host.time = end;
        settle();
    }

    FakeHost host;
    Loop loop;
    FakeNetDevice device;  // before the stack: outlives it
    NetStack stack;
    EchoService echo {stack};  // started by configure_static (and by tests that want it)
    std::deque<std::vector<u8>> udp_queues;
};

}  // namespace mote::test
