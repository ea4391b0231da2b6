#include "net/udp.hpp"

#include "base/memory.hpp"
#include "net/checksum.hpp"
#include "net/net_stack.hpp"
#include "net/wire.hpp"

namespace mote {

void Udp::receive(PacketBuffer& packet, const Ipv4Info& info) {
    ++counters.received;
    const u8* h = packet.data();
    u64* bad = nullptr;
    usize length = 0;
    if (packet.length() < kHeaderSize) {
        bad = &counters.truncated;
    } else {
        length = load_be16(h + 4);
        if (length < kHeaderSize || length > packet.length()) bad = &counters.bad_length;
        else if (m_stack.verify_checksums() && load_be16(h + 6) != 0) {
            u64 sum = checksum_add_pseudo_header(0, info.source, info.destination, kIpProtocolUdp, u16(length));
            if (checksum_finish(checksum_add(sum, ReadonlyBytes(h, length))) != 0) bad = &counters.bad_checksum;
        }
    }
    if (bad) {
        ++*bad;
        packet.release();
        return;
    }
    MUST(packet.trim(length));
    UdpEndpoint from {info.source, load_be16(h)};
    u16 port = load_be16(h + 2);
    UdpSocket* socket = find(port);
    if (!socket) {
        ++counters.no_socket;
        m_stack.icmp().send_port_unreachable(info, packet);
        packet.release();
        return;
    }
    MUST(packet.pull(kHeaderSize));
    ++counters.delivered;
    socket->deliver(packet, from, info.to_broadcast ? Ipv4Address::broadcast() : info.destination);
}

Result<void> Udp::send(u16 source_port, UdpEndpoint to, ReadonlyBytes payload) {
    if (payload.size() > kMaxPayload) return Error::Overflow;
    TRY(m_stack.ipv4().route(to.address));
    PacketBuffer* b = m_stack.tx_pool().allocate();
    if (!b) {
        ++counters.no_buffer;
        return Error::NoMemory;
    }
    usize length = kHeaderSize + payload.size();
    u8* h = MUST(b->put(length)).data();
    store_be16(h, source_port);
    store_be16(h + 2, to.port);
    store_be16(h + 4, u16(length));
    store_be16(h + 6, 0);
    if (!payload.empty()) mem_copy(h + kHeaderSize, payload.data(), payload.size());
    Ipv4Address source = m_stack.ipv4().source_for(to.address);
    u64 sum = checksum_add_pseudo_header(0, source, to.address, kIpProtocolUdp, u16(length));
    u16 checksum = checksum_finish(checksum_add(sum, ReadonlyBytes(h, length)));
    // RFC 768: a computed zero is sent as all ones; zero means "no checksum".
    store_be16(h + 6, checksum ? checksum : 0xffff);
    if (auto r = m_stack.ipv4().send(*b, kIpProtocolUdp, to.address); r.is_error()) {
        ++counters.send_failed;
        return r.error();
    }
    ++counters.sent;
    return {};
}

Result<u16> Udp::bind(UdpSocket& socket, u16 port) {
    if (port == 0) {
        // Walk the ephemeral range from where we left off.
        for (u32 tries = 0; tries < 65536u - kEphemeralFirst; ++tries) {
            u16 candidate = m_next_ephemeral;
            m_next_ephemeral = m_next_ephemeral == 0xffff ? kEphemeralFirst : u16(m_next_ephemeral + 1);
            if (!find(candidate)) {
                port = candidate;
                break;
            }
        }
        if (port == 0) return Error::Busy;
    } else if (find(port)) {
        return Error::Busy;
    }
    m_sockets.push_back(socket);
    return port;
}

void Udp::unbind(UdpSocket& socket) {
    if (socket.table_node.is_linked()) m_sockets.remove(socket);
}

UdpSocket* Udp::find(u16 port) {
    for (UdpSocket& s : m_sockets)
        if (s.port() == port) return &s;
    return nullptr;
}

void Udp::buffers_available() {
    for (UdpSocket& s : m_sockets) {
        if (!m_stack.tx_pool().free_count()) return;
        s.retry_sends();
    }
}

}  // namespace mote
