#include "dev/virtio/virtio_rng.hpp"

#include "core/log.hpp"

namespace mote::virtio {

VirtioRng::VirtioRng(Transport& transport, DmaSpace& dma, Loop& loop, EntropyPool& pool)
    : Device(transport, dma, loop), m_pool(pool) {
    m_refill.set_callback([](Timer& t) { static_cast<VirtioRng*>(t.context())->request(); }, this);
}

Result<void> VirtioRng::attach() {
    // 5.4.3: no device-specific feature bits.
    TRY(negotiate(0));
    TRY(setup_queue(m_queue, 0, 8));
    m_buffer = TRY(m_dma.allocate(kBufferBytes));
    m_source = TRY(m_pool.register_source("virtio-rng"));
    driver_ok();
    request();
    return {};
}

void VirtioRng::request() {
    if (m_failed || m_in_flight) return;
    Segment buffer {m_buffer.bus, u32(kBufferBytes), true};
    if (m_queue.submit(Span<const Segment>(&buffer, 1), this).is_error()) return;
    m_in_flight = true;
    ++m_requests;
    kick(m_queue);
}

void VirtioRng::service(u32) {
    u32 got = 0;
    bool any = false;
    if (!reap(m_queue, [&](void*, u32 written, u16) {
            got = written;
            any = true;
        }))
        return;
    if (!any) return;
    m_in_flight = false;
    if (got) {
        m_bytes += got;
        m_pool.add(m_source, ReadonlyBytes(m_buffer.virt, got), got * 4);
    }
    // Until a whole seed's credit has gathered, ask again at once.
    if (m_pool.credited_bits() < EntropyPool::kPoolBits) request();
    else if (!m_refill.armed()) m_event_loop.arm_after(m_refill, kRefillInterval);
}

void VirtioRng::fail_pending() {
    m_event_loop.cancel(m_refill);
    m_queue.abandon([](void*, u16) {});
    m_in_flight = false;
}

void VirtioRng::describe_counters(LineOut& line) const {
    line.appendf("requests {} bytes {}", m_requests, m_bytes);
}

}  // namespace mote::virtio
