// virtio-net (virtio 1.2, 5.1): the NetDevice on QEMU virt.
//
// Queue 0 receives, queue 1 transmits (5.1.2). Every frame on either queue
// is preceded by struct virtio_net_hdr (5.1.6), 12 bytes with VERSION_1
// (10 on a legacy device without MRG_RXBUF); we offer no offloads, so on
// transmit it is all zeros and on receive it is read and skipped.
//
// Receive: the driver owns a PacketPool of kRxBuffers standing buffers and
// keeps as many posted as the queue holds; each used buffer is checked (the
// device's length must cover the header and an Ethernet header and fit what
// was posted), trimmed to the frame, and handed to the stack in one batch
// per interrupt; the pool's release hook reposts buffers as the stack frees
// them. No buffer to post is a counted drop (rx_no_buffer).
//
// Transmit: the stack's buffer (with headroom for our header) goes to the
// device as is; the TX completion releases it back to its pool. A full TX
// queue is Busy, and transmit_ready() follows when chains come back.
//
// Features: MAC (the address from config, else a locally administered one)
// and STATUS (link up/down from config, with config-change interrupts).
#pragma once

#include "core/deferred.hpp"
#include "dev/net_device.hpp"
#include "dev/virtio/device.hpp"

namespace mote::virtio {

class VirtioNet final : public Device, public NetDevice {
public:
    static constexpr usize kRxBuffers = 128;
    static constexpr u16 kQueueSize = 256;

    VirtioNet(Transport& transport, DmaSpace& dma, Loop& loop, PacketBuffer* rx_storage);

    Result<void> attach();

    // Device
    StringView driver_name() const override { return "virtio-net"; }
    StringView instance_name() const override { return NetDevice::name(); }
    void describe_counters(LineOut& line) const override;
    bool has_work() const override { return !m_failed && (m_rx_queue.has_used() || m_tx_queue.has_used()); }
    // NetDevice
    StringView model() const override { return m_model.view(); }

    u64 rx_posted() const { return m_rx_queue.in_flight(); }
    const PacketPool& rx_pool() const { return m_rx_pool; }

private:
    Result<void> start_transmit(PacketBuffer& frame) override;
    void service(u32 cause) override;
    void fail_pending() override;

    void refill();
    void read_link();

    PacketPool m_rx_pool;
    Virtqueue m_rx_queue;
    Virtqueue m_tx_queue;
    Deferred m_refill;
    Deferred m_kick_tx;
    usize m_header = 12;
    bool m_has_status = false;
    FixedString<64> m_model;
};

}  // namespace mote::virtio
