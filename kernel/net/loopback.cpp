#include "net/loopback.hpp"

#include "net/net_stack.hpp"

namespace mote {

static_assert(Loopback::kQueueMax < NetStack::kTxBuffers, "looped datagrams must leave TX buffers for the device");

Loopback::Loopback(NetStack& stack) : m_stack(stack), m_deliver(on_deliver, this) {}

Loopback::~Loopback() {
    m_stack.loop().cancel(m_deliver);
    drop_all();
}

void Loopback::post(PacketBuffer& datagram) {
    if (m_queue.size() >= kQueueMax) {
        ++m_stack.ipv4().counters.loopback_full;
        datagram.release();
        return;
    }
    ++m_stack.ipv4().counters.looped;
    m_queue.push_back(datagram);
    if (!m_deliver.queued()) m_stack.loop().defer(m_deliver);
}

void Loopback::drop_all() { release_all(m_queue); }

void Loopback::on_deliver(Deferred& call) {
    auto* self = static_cast<Loopback*>(call.context());
    // Only what was queued when this turn began.
    usize count = self->m_queue.size();
    while (count-- > 0) {
        PacketBuffer* datagram = self->m_queue.pop_front();
        self->m_stack.ipv4().receive(*datagram, Ipv4::Arrival::Looped);
    }
    if (!self->m_queue.empty()) self->m_stack.loop().defer(self->m_deliver);
}

}  // namespace mote
