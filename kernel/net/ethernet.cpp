#include "net/ethernet.hpp"

#include "base/memory.hpp"
#include "net/net_stack.hpp"
#include "net/wire.hpp"

namespace mote {

void Ethernet::receive(PacketBuffer& frame) {
    ++counters.received;
    if (frame.length() < kEthernetHeaderSize) {
        ++counters.truncated;
        frame.release();
        return;
    }
    MacAddress destination;
    mem_copy(destination.bytes, frame.data(), 6);
    NetDevice* device = m_stack.device();
    if (!device || (!destination.is_broadcast() && !(destination == device->mac()))) {
        ++counters.not_for_us;
        frame.release();
        return;
    }
    u16 type = load_be16(frame.data() + 12);
    MUST(frame.pull(kEthernetHeaderSize));
    switch (type) {
    case kEtherTypeArp: m_stack.arp().receive(frame); return;
    case kEtherTypeIpv4: m_stack.ipv4().receive(frame); return;
    default:
        // IPv6, VLAN tags, LLDP ...: not spoken here.
        ++counters.unknown_type;
        frame.release();
        return;
    }
}

void Ethernet::send(PacketBuffer& packet, MacAddress destination, u16 type) {
    NetDevice* device = m_stack.device();
    auto header = packet.push(kEthernetHeaderSize);
    if (!device || header.is_error()) {
        ++counters.tx_failed;
        packet.release();
        return;
    }
    u8* h = header.value().data();
    mem_copy(h, destination.bytes, 6);
    mem_copy(h + 6, device->mac().bytes, 6);
    store_be16(h + 12, type);
    if (packet.length() < kEthernetMinFrame) {
        usize pad = kEthernetMinFrame - packet.length();
        auto tail = packet.put(pad);
        if (tail.is_error()) {
            ++counters.tx_failed;
            packet.release();
            return;
        }
        mem_set(tail.value().data(), 0, pad);
    }
    transmit_or_queue(packet);
}

void Ethernet::transmit_or_queue(PacketBuffer& frame) {
    // Frames behind a backlog wait their turn: a datagram must not overtake
    // the one sent before it.
    if (m_backlog.empty()) {
        auto r = m_stack.device()->transmit(frame);
        if (r.ok()) {
            ++counters.sent;
            return;
        }
        if (r.error() != Error::Busy) {
            ++(r.error() == Error::BadState ? counters.tx_link_down : counters.tx_failed);
            frame.release();
            return;
        }
    }
    if (m_backlog.size() >= kMaxBacklog) {
        ++counters.tx_failed;
        frame.release();
        return;
    }
    ++counters.tx_deferred;
    m_backlog.push_back(frame);
}

void Ethernet::flush() {
    NetDevice* device = m_stack.device();
    while (device && !m_backlog.empty()) {
        PacketBuffer* frame = m_backlog.pop_front();
        auto r = device->transmit(*frame);
        if (r.ok()) {
            ++counters.sent;
            continue;
        }
        if (r.error() == Error::Busy) {
            m_backlog.push_front(*frame);
            return;
        }
        ++counters.tx_failed;
        frame->release();
    }
}

void Ethernet::drop_backlog() { release_all(m_backlog); }

}  // namespace mote
