// A NetDevice for tests: frames the stack transmits are recorded (their
// bytes copied, the buffer released at once, as a device would after the
// send), and the test injects received frames with receive().
#pragma once

#include <vector>

#include "base/memory.hpp"
#include "dev/net_device.hpp"

namespace mote::test {

class FakeNetDevice final : public NetDevice {
public:
    static constexpr usize kRxBuffers = 64;

    explicit FakeNetDevice(MacAddress mac = MacAddress {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}}) {
        m_mac = mac;
        set_name("net0");
        rx_pool.init(Span<PacketBuffer>(rx_storage, kRxBuffers), "fake-rx");
    }
    ~FakeNetDevice() { set_receiver(nullptr); }

    StringView model() const override { return "fake"; }

    // Delivers one frame (as one batch). False if the RX pool is empty.
    bool receive(const std::vector<u8>& frame) { return receive_batch({frame}); }
    bool receive_batch(const std::vector<std::vector<u8>>& frames) {
        PacketList batch;
        for (const auto& f : frames) {
            PacketBuffer* b = rx_pool.allocate();
            if (!b) {
                ++m_stats.rx_no_buffer;
                continue;
            }
            if (b->append(ReadonlyBytes(f.data(), f.size())).is_error()) {
                b->release();
                ++m_stats.rx_bad_length;
                continue;
            }
            batch.push_back(*b);
        }
        bool all = batch.size() == frames.size();
        deliver(batch);
        return all;
    }

    void set_link_state(bool up) { set_link(up); }
    void make_ready() {
        busy = false;
        transmit_ready();
    }

    // The frames sent so far, oldest first; take() empties the record.
    std::vector<std::vector<u8>> take() {
        auto out = std::move(sent);
        sent.clear();
        return out;
    }

    bool busy = false;            // refuse with Busy, like a full TX queue
    bool hold_buffers = false;    // keep sent buffers (TX not completed) until complete_all()
    std::vector<std::vector<u8>> sent;
    std::vector<PacketBuffer*> held;
    PacketBuffer rx_storage[kRxBuffers];  // before the pool: it outlives the pool
    PacketPool rx_pool;

    void complete_all() {
        for (PacketBuffer* b : held) b->release();
        held.clear();
    }

protected:
    Result<void> start_transmit(PacketBuffer& frame) override {
        if (busy) return Error::Busy;
        sent.emplace_back(frame.data(), frame.data() + frame.length());
        if (hold_buffers) held.push_back(&frame);
        else frame.release();
        return {};
    }
};

}  // namespace mote::test
