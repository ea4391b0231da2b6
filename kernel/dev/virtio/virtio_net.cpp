#include "dev/virtio/virtio_net.hpp"

#include "base/memory.hpp"
#include "core/log.hpp"
#include "dev/virtio/virtio.hpp"

namespace mote::virtio {

namespace {
// 5.1.3 Feature bits.
constexpr u64 kNetMac = u64(1) << 5;
constexpr u64 kNetStatus = u64(1) << 16;
// 5.1.4 Device configuration layout.
constexpr u32 kConfigMac = 0;
constexpr u32 kConfigStatus = 6;
constexpr u16 kStatusLinkUp = 1;

constexpr u16 kRxQueue = 0;
constexpr u16 kTxQueue = 1;
constexpr usize kMaxSegments = 2;  // a 2 KiB buffer spans at most two pages
}  // namespace

VirtioNet::VirtioNet(Transport& transport, DmaSpace& dma, Loop& loop, PacketBuffer* rx_storage)
    : Device(transport, dma, loop) {
    m_rx_pool.init(Span<PacketBuffer>(rx_storage, kRxBuffers), "virtio-net rx");
    m_refill.set_callback([](Deferred& d) { static_cast<VirtioNet*>(d.context())->refill(); }, this);
    m_kick_tx.set_callback([](Deferred& d) {
        auto* self = static_cast<VirtioNet*>(d.context());
        self->kick(self->m_tx_queue);
    }, this);
    // Buffers the stack releases come back here; repost them next turn.
    m_rx_pool.set_available_hook(
        [](PacketPool&, void* context) {
            auto* self = static_cast<VirtioNet*>(context);
            if (!self->m_refill.queued()) self->m_event_loop.defer(self->m_refill);
        },
        this);
}

Result<void> VirtioNet::attach() {
    u64 features = TRY(negotiate(kNetMac | kNetStatus));
    // 5.1.6: the header has num_buffers (12 bytes) with VERSION_1.
    m_header = (features & kFeatureVersion1) ? 12 : 10;
    if (features & kNetMac) {
        for (u32 i = 0; i < 6; ++i) m_mac.bytes[i] = TRY(m_transport.config8(kConfigMac + i));
    } else {
        m_mac = MacAddress {{0x02, 0x00, 0x00, 0x4d, 0x6f, 0x74}};  // locally administered
    }
    m_has_status = features & kNetStatus;
    TRY(setup_queue(m_rx_queue, kRxQueue, kQueueSize));
    TRY(setup_queue(m_tx_queue, kTxQueue, kQueueSize));
    driver_ok();
    read_link();
    m_model.appendf("virtio-net ({})", m_transport.kind());
    refill();
    return {};
}

void VirtioNet::read_link() {
    if (!m_has_status) return;
    auto status = m_transport.config16(kConfigStatus);
    if (status.ok()) set_link(status.value() & kStatusLinkUp);
}

void VirtioNet::refill() {
    if (m_failed) return;
    usize posted = 0;
    while (m_rx_queue.free_descriptors() >= kMaxSegments) {
        PacketBuffer* buffer = m_rx_pool.allocate();
        if (!buffer) {
            // Every buffer is either posted or with the stack. Only an empty
            // receive queue means the device has to drop frames.
            if (m_rx_queue.in_flight() == 0) ++m_stats.rx_no_buffer;
            break;
        }
        // The device writes header + frame; place it so the frame lands at
        // the default headroom once the header is pulled.
        buffer->reset(PacketBuffer::kHeadroom - m_header);
        Bytes space = buffer->tail_space();
        DmaSegment pieces[kMaxSegments];
        auto count = m_dma.translate(space.data(), space.size(), Span<DmaSegment>(pieces, kMaxSegments));
        if (count.is_error()) {
            buffer->release();
            disable("receive buffer not reachable by the device");
            return;
        }
        Segment chain[kMaxSegments];
        for (usize i = 0; i < count.value(); ++i) chain[i] = {pieces[i].bus, pieces[i].length, true};
        if (m_rx_queue.submit(Span<const Segment>(chain, count.value()), buffer).is_error()) {
            buffer->release();
            break;
        }
        ++posted;
    }
    if (posted) kick(m_rx_queue);
}

Result<void> VirtioNet::start_transmit(PacketBuffer& frame) {
    if (m_failed) return Error::Io;
    if (m_tx_queue.free_descriptors() < kMaxSegments) return Error::Busy;
    Bytes header = TRY(frame.push(m_header));
    mem_set(header.data(), 0, header.size());
    DmaSegment pieces[kMaxSegments];
    auto count = m_dma.translate(frame.data(), frame.length(), Span<DmaSegment>(pieces, kMaxSegments));
    if (count.is_error()) {
        MUST(frame.pull(m_header));
        return Error::InvalidArgument;
    }
    Segment chain[kMaxSegments];
    for (usize i = 0; i < count.value(); ++i) chain[i] = {pieces[i].bus, pieces[i].length, false};
    if (auto r = m_tx_queue.submit(Span<const Segment>(chain, count.value()), &frame); r.is_error()) {
        MUST(frame.pull(m_header));
        return r.error();
    }
    if (!m_kick_tx.queued()) m_event_loop.defer(m_kick_tx);
    return {};
}

void VirtioNet::service(u32 cause) {
    if (cause & kIsrConfig) read_link();
    // Transmit completions: the buffers go back to their pools.
    bool tx_done = false;
    if (!reap(m_tx_queue, [&](void* token, u32, u16) {
            static_cast<PacketBuffer*>(token)->release();
            tx_done = true;
        }))
        return;
    PacketList frames;
    bool ok = reap(m_rx_queue, [&](void* token, u32 written, u16) {
        auto& buffer = *static_cast<PacketBuffer*>(token);
        // Decode the device's claim: header plus at least an Ethernet header,
        // within the space we posted (the virtqueue checked the latter).
        if (written < m_header + NetDevice::kEthernetHeader || buffer.put(written).is_error() ||
            buffer.pull(m_header).is_error()) {
            ++m_stats.rx_bad_length;
            buffer.release();
            return;
        }
        frames.push_back(buffer);
    });
    if (!ok) {
        release_all(frames);
        return;
    }
    deliver(frames);
    refill();
    if (tx_done) transmit_ready();
}

void VirtioNet::fail_pending() {
    if (m_kick_tx.queued()) m_event_loop.cancel(m_kick_tx);
    if (m_refill.queued()) m_event_loop.cancel(m_refill);
    m_rx_queue.abandon([](void* token, u16) { static_cast<PacketBuffer*>(token)->release(); });
    m_tx_queue.abandon([](void* token, u16) { static_cast<PacketBuffer*>(token)->release(); });
    set_link(false);
}

void VirtioNet::describe_counters(LineOut& line) const {
    const NetDeviceStats& s = stats();
    line.appendf("rx {} ({} B) tx {} ({} B) drops: no-buffer {} bad-length {} link-down {} busy {}", s.rx_frames,
                 s.rx_bytes, s.tx_frames, s.tx_bytes, s.rx_no_buffer, s.rx_bad_length, s.rx_link_down, s.tx_busy);
}

}  // namespace mote::virtio
