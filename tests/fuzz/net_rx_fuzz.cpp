// Feeds arbitrary frames through the whole receive path of a fresh network
// stack (Ethernet, ARP, IPv4, ICMP, UDP, sockets, the DHCP client and a
// UDP echo service on ports 7 and 5555, tests/unit/support/echo_service),
// with checksum verification off so mutated frames get past
// IPv4 into the layers above. Any crash, sanitizer report, VERIFY failure
// or leaked packet buffer is a bug: bad input must only ever move counters.
//
// Input: one flags byte, then frames, each a big-endian u16 length and that
// many bytes (a short last frame takes what is left).
//   flags bit 0: run DHCP (unconfigured) instead of a static 10.0.2.15/24
//   flags bit 1: deliver all frames as one batch (else one batch per frame)
//   flags bit 2: advance the clock 700 ms after each batch (ARP/DHCP timers)
//   flags bit 3: the device's TX queue starts full (Busy, then drains)
#include <stddef.h>
#include <stdint.h>

#include "net/net_stack.hpp"
#include "support/echo_service.hpp"

using namespace mote;

namespace {

class FuzzHost final : public LoopHost {
public:
    Nanoseconds now() override { return time; }
    void wait(Loop&, Nanoseconds deadline) override {
        if (deadline != kNoDeadline && deadline > time) time = deadline;
    }
    Nanoseconds time = 1000 * kSecond;
};

class FuzzDevice final : public NetDevice {
public:
    static constexpr usize kBuffers = 64;
    FuzzDevice() {
        m_mac = MacAddress {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
        set_name("fuzz0");
        pool.init(Span<PacketBuffer>(storage, kBuffers), "fuzz-rx");
    }
    StringView model() const override { return "fuzz"; }
    void rx(PacketList& batch) { deliver(batch); }
    void ready() {
        busy = false;
        transmit_ready();
    }
    bool busy = false;
    PacketBuffer storage[kBuffers];
    PacketPool pool;

protected:
    Result<void> start_transmit(PacketBuffer& frame) override {
        if (busy) return Error::Busy;
        frame.release();
        return {};
    }
};

void turn(Loop& loop, int n) {
    for (int i = 0; i < n && loop.has_ready_work(); ++i) loop.turn(false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    u8 flags = data[0];
    FuzzHost host;
    Loop loop(host);
    FuzzDevice device;
    {
        auto* stack = new NetStack(loop);
        stack->set_verify_checksums(false);
        MUST(stack->attach(device));
        NetBootOptions options;
        if (!(flags & 1)) {
            options.ip = "10.0.2.15/24";
            options.gw = "10.0.2.2";
        }
        stack->start(options);
        auto* echo = new EchoService(*stack);
        (void)echo->start(7);
        (void)echo->start(5555);
        device.busy = flags & 8;

        usize i = 1;
        PacketList batch;
        while (i < size) {
            usize length = size - i;
            if (length >= 2) {
                usize declared = (usize(data[i]) << 8) | data[i + 1];
                i += 2;
                length = min(declared, size - i);
            } else {
                i = size;
                length = 0;
            }
            PacketBuffer* b = device.pool.allocate();
            if (b) {
                if (b->append(ReadonlyBytes(data + i, min<usize>(length, 1600))).is_error()) b->release();
                else batch.push_back(*b);
            }
            i += length;
            if (!(flags & 2) || i >= size) {
                device.rx(batch);
                turn(loop, 8);
                if (flags & 4) {
                    host.time += 700 * kMillisecond;
                    turn(loop, 8);
                }
            }
        }
        device.ready();
        turn(loop, 16);
        echo->stop();
        stack->stop();
        turn(loop, 16);
        delete echo;
        delete stack;
    }
    turn(loop, 4);
    return 0;
}
