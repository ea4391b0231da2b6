// Network devices: raw Ethernet frames in and out, implemented by virtio-net
// on bare metal and by test doubles on the host.
//
// Transmit is split-phase in the Tock style, with the buffer as the token:
//   * transmit(frame) validates the frame first (decode), then hands it to
//     the driver (perform).
//   * Ok: the device owns the buffer from then on and release()s it to its
//     pool when the send has completed (that release *is* the TX
//     completion). The caller must not touch it again.
//   * Error (Busy when the device's TX queue is full, InvalidArgument for a
//     frame that can never be sent, BadState when the link is down): the
//     caller still owns the buffer and decides whether to keep it or drop
//     it. After a Busy the device calls NetReceiver::on_transmit_ready once
//     room frees up.
//
// Receive: the driver posts buffers from its own pool to the device. When
// frames arrive it hands them to the one receiver through on_frames() in
// loop context (from its interrupt handler, which the loop runs), as a batch:
// every frame that one interrupt produced. Ownership of each buffer passes
// to the receiver, which must take them all (the list is empty on return);
// it releases them when done, which returns them to the driver's pool.
// A driver that runs out of buffers to post counts rx_no_buffer and the
// device drops frames in hardware: a counted drop, never a stall.
//
// Frames handed to transmit carry the 14-byte Ethernet header and at most
// mtu() bytes of payload; the stack pads short frames to the 60-byte
// Ethernet minimum itself, and leaves at least kTransmitHeadroom bytes in
// front of the frame for a driver header (virtio-net's 12 bytes).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "dev/packet_buffer.hpp"

namespace mote {

class Loop;
class NetDevice;

struct MacAddress {
    u8 bytes[6] {};

    static constexpr MacAddress broadcast() { return MacAddress {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }

    constexpr bool operator==(const MacAddress& other) const {
        for (usize i = 0; i < 6; ++i)
            if (bytes[i] != other.bytes[i]) return false;
        return true;
    }
    constexpr bool is_broadcast() const { return *this == broadcast(); }
    // The group bit (IEEE 802): multicast and broadcast destinations.
    constexpr bool is_multicast() const { return bytes[0] & 1; }
    constexpr bool is_zero() const { return *this == MacAddress {}; }
};

struct NetDeviceStats {
    u64 rx_frames = 0;       // handed to the receiver
    u64 rx_bytes = 0;
    u64 tx_frames = 0;       // accepted by transmit()
    u64 tx_bytes = 0;
    // Drops by reason.
    u64 rx_no_buffer = 0;    // driver had no buffer to post (pool empty)
    u64 rx_bad_length = 0;   // device reported a length that cannot be a frame
    u64 rx_no_receiver = 0;  // nobody attached: frames released at once
    u64 rx_link_down = 0;    // arrived while the link was down
    u64 tx_busy = 0;         // TX queue full: Busy, the caller kept the buffer
    u64 tx_rejected = 0;     // invalid frame or link down: refused by validation
    u64 tx_errors = 0;       // the device reported a failed send
};

class NetReceiver {
public:
    // Frames received by `device`, in arrival order. Loop context. The
    // receiver takes ownership of every buffer and must empty `frames`.
    virtual void on_frames(NetDevice& device, PacketList& frames) = 0;
    // Room in the TX queue again after a transmit() returned Busy.
    virtual void on_transmit_ready(NetDevice& device) { (void)device; }
    // The link went up or down.
    virtual void on_link_change(NetDevice& device) { (void)device; }

protected:
    ~NetReceiver() = default;
};

class NetDevice {
public:
    // Bytes a frame handed to transmit() has in front of it, at least.
    static constexpr usize kTransmitHeadroom = 32;
    static constexpr usize kEthernetHeader = 14;
    static constexpr u16 kDefaultMtu = 1500;

    StringView name() const { return StringView(m_name, StringView::cstring_length(m_name)); }
    void set_name(StringView name);
    virtual StringView model() const = 0;

    MacAddress mac() const { return m_mac; }
    bool link_up() const { return m_link_up; }
    u16 mtu() const { return m_mtu; }
    const NetDeviceStats& stats() const { return m_stats; }

    // The one consumer of received frames (the network stack); nullptr
    // detaches, after which frames are counted in rx_no_receiver and freed.
    void set_receiver(NetReceiver* receiver) { m_receiver = receiver; }
    NetReceiver* receiver() const { return m_receiver; }

    // Validates, then queues `frame` for sending. See the header comment for
    // who owns the buffer afterwards.
    Result<void> transmit(PacketBuffer& frame);

protected:
    NetDevice() = default;
    ~NetDevice() = default;

    // The driver's half of transmit: the frame is valid. Ok: the driver owns
    // it and releases it when sent. Busy: queue full, the caller keeps it
    // (the driver must then call transmit_ready() when room frees up).
    virtual Result<void> start_transmit(PacketBuffer& frame) = 0;

    // Driver helpers, loop context only.
    // Hands a batch of received frames to the receiver (or frees them,
    // counted, if there is none or the link is down). Empties `frames`.
    void deliver(PacketList& frames);
    // Tells the receiver the TX queue has room again (after a Busy).
    void transmit_ready();
    void set_link(bool up);

    MacAddress m_mac;
    u16 m_mtu = kDefaultMtu;
    bool m_link_up = true;
    bool m_tx_was_busy = false;
    NetDeviceStats m_stats;

private:
    NetReceiver* m_receiver = nullptr;
    char m_name[8] = "net?";
};

}  // namespace mote
