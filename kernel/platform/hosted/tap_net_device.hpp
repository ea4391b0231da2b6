// A network device on a Linux TAP interface: the hosted kernel's Ethernet.
//
// `mote-hosted --tap NAME` opens /dev/net/tun and creates (or attaches to)
// the TAP interface NAME in the process's network namespace; what Linux
// sends out of NAME arrives here as frames, and what Mote transmits appears
// on NAME as received. Tests put the process in a network namespace of
// their own (tests/integration/test_tap_interop.py), so Linux's real TCP,
// curl and Python talk to Mote there and no other host is ever reached.
//
// Receive: the descriptor is non-blocking and watched by the machine's
// epoll as an interrupt line; on_readable() reads up to kBatch frames into
// buffers of its own pool and hands them to the receiver as one batch, like
// a virtio-net interrupt. An empty pool drops (rx_no_buffer), never stalls.
// Transmit: one write(2) per frame, done before start_transmit returns, so
// the buffer is released at once (the TX completion).
//
// Optionally each direction is impaired (link_impairment.hpp): frames are
// dropped or held back behind the next one, from a seed, so tests can run
// Linux's TCP against Mote's over a lossy, reordering link.
#pragma once

#include "core/timer.hpp"
#include "dev/net_device.hpp"
#include "platform/hosted/link_impairment.hpp"

namespace mote {

class Loop;

struct TapImpairmentStats {
    u64 rx_dropped = 0;
    u64 rx_reordered = 0;
    u64 tx_dropped = 0;
    u64 tx_reordered = 0;
};

class TapNetDevice final : public NetDevice {
public:
    static constexpr usize kRxBuffers = 256;
    static constexpr usize kBatch = 32;
    // How long a held frame waits for a successor before it goes alone.
    static constexpr Nanoseconds kHoldLimit = 2 * kMillisecond;

    TapNetDevice() = default;
    ~TapNetDevice();

    // Creates or attaches to TAP interface `interface` (at most 15 bytes).
    // NotFound without /dev/net/tun, PermissionDenied without CAP_NET_ADMIN.
    Result<void> open(const char* interface, const ImpairmentConfig& faults, Loop& loop);
    int fd() const { return m_fd; }
    StringView model() const override { return "Linux TAP"; }
    StringView interface() const { return StringView(m_interface, StringView::cstring_length(m_interface)); }
    TapImpairmentStats impairment_stats() const;

    // Loop context, when the descriptor is readable.
    void on_readable();

private:
    Result<void> start_transmit(PacketBuffer& frame) override;
    void write_frame(PacketBuffer& frame);
    static void on_hold_timeout(Timer& timer);

    int m_fd = -1;
    Loop* m_loop = nullptr;
    char m_interface[16] = {};
    LinkImpairment m_rx_faults;
    LinkImpairment m_tx_faults;
    // The frame held back in each direction, and the timer that lets it go.
    PacketBuffer* m_rx_held = nullptr;
    PacketBuffer* m_tx_held = nullptr;
    Timer m_hold_timer;
    u64 m_rx_reordered = 0;
    u64 m_tx_reordered = 0;
    PacketBuffer m_rx_storage[kRxBuffers];  // before the pool: it outlives it
    PacketPool m_rx_pool;
};

}  // namespace mote
