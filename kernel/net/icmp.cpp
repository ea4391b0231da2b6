#include "net/icmp.hpp"

#include "base/memory.hpp"
#include "net/checksum.hpp"
#include "net/net_stack.hpp"
#include "net/wire.hpp"

namespace mote {

namespace {
constexpr u8 kTypeEchoReply = 0;
constexpr u8 kTypeUnreachable = 3;
constexpr u8 kTypeEchoRequest = 8;
constexpr u8 kCodePortUnreachable = 3;
}  // namespace

void Icmp::receive(PacketBuffer& packet, const Ipv4Info& info) {
    ++counters.received;
    u64* bad = nullptr;
    if (packet.length() < kHeaderSize) bad = &counters.truncated;
    else if (m_stack.verify_checksums() && internet_checksum(packet.bytes()) != 0) bad = &counters.bad_checksum;
    if (bad) {
        ++*bad;
        packet.release();
        return;
    }
    u8* m = packet.data();
    switch (m[0]) {
    case kTypeEchoRequest: {
        ++counters.echo_requests;
        // RFC 1122 3.2.2.6: an echo request to a broadcast MAY be ignored.
        if (info.to_broadcast) {
            ++counters.broadcast_echo_ignored;
            packet.release();
            return;
        }
        // The reply is the request with its type changed (RFC 792: the
        // identifier, sequence and data are returned unchanged).
        m[0] = kTypeEchoReply;
        m[1] = 0;
        store_be16(m + 2, 0);
        store_be16(m + 2, internet_checksum(packet.bytes()));
        ++counters.sent;
        ++counters.echo_replies_sent;
        (void)m_stack.ipv4().send(packet, kIpProtocolIcmp, info.source, info.destination);
        return;
    }
    case kTypeEchoReply:
        ++counters.echo_replies_received;
        if (EchoReplyListener* listener = find_listener(load_be16(m + 4))) {
            listener->on_echo_reply(packet, info.source, info.ttl);
            return;
        }
        ++counters.echo_replies_unmatched;
        packet.release();
        return;
    case kTypeUnreachable:
        ++counters.unreachable_received;
        packet.release();
        return;
    default:
        ++counters.ignored_type;
        packet.release();
        return;
    }
}

bool Icmp::take_token() {
    Nanoseconds now = m_stack.now();
    Nanoseconds step = kSecond / kUnreachablePerSecond;
    if (now > m_refilled) {
        u64 earned = (now - m_refilled) / step;
        if (earned) {
            m_tokens = u32(min<u64>(kUnreachableBurst, m_tokens + earned));
            m_refilled += earned * step;
        }
    }
    if (m_tokens == kUnreachableBurst) m_refilled = now;
    if (!m_tokens) return false;
    --m_tokens;
    return true;
}

void Icmp::send_port_unreachable(const Ipv4Info& info, const PacketBuffer& datagram) {
    // Never about broadcasts, and never to an address that is not a single
    // host (RFC 1122 3.2.2).
    if (info.to_broadcast || info.source.is_zero()) return;
    if (!take_token()) {
        ++counters.unreachable_rate_limited;
        return;
    }
    PacketBuffer* b = m_stack.tx_pool().allocate();
    if (!b) {
        ++counters.no_buffer;
        return;
    }
    usize quoted = min<usize>(datagram.length(), 8);
    u8* m = MUST(b->put(kHeaderSize)).data();
    m[0] = kTypeUnreachable;
    m[1] = kCodePortUnreachable;
    store_be16(m + 2, 0);
    store_be32(m + 4, 0);
    MUST(b->append(info.header));
    MUST(b->append(ReadonlyBytes(datagram.data(), quoted)));
    store_be16(b->data() + 2, internet_checksum(b->bytes()));
    ++counters.sent;
    ++counters.unreachable_sent;
    (void)m_stack.ipv4().send(*b, kIpProtocolIcmp, info.source);
}

Result<void> Icmp::send_echo_request(Ipv4Address destination, u16 id, u16 sequence, usize payload_size) {
    return send_echo(destination, id, sequence, payload_size, nullptr);
}

Result<void> Icmp::send_echo_request(Ipv4Address destination, u16 id, u16 sequence, ReadonlyBytes payload) {
    return send_echo(destination, id, sequence, payload.size(), payload.data());
}

// The data is written straight into the packet buffer (the pattern too:
// no staging copy on the small kernel stack).
Result<void> Icmp::send_echo(Ipv4Address destination, u16 id, u16 sequence, usize size, const u8* payload) {
    if (size > kEchoMax) return Error::InvalidArgument;
    TRY(m_stack.ipv4().route(destination));
    PacketBuffer* b = m_stack.tx_pool().allocate();
    if (!b) {
        ++counters.no_buffer;
        return Error::NoMemory;
    }
    u8* m = MUST(b->put(kHeaderSize + size)).data();
    m[0] = kTypeEchoRequest;
    m[1] = 0;
    store_be16(m + 2, 0);
    store_be16(m + 4, id);
    store_be16(m + 6, sequence);
    if (payload) mem_copy(m + kHeaderSize, payload, size);
    else
        for (usize i = 0; i < size; ++i) m[kHeaderSize + i] = u8(i);
    store_be16(m + 2, internet_checksum(b->bytes()));
    ++counters.sent;
    ++counters.echo_requests_sent;
    return m_stack.ipv4().send(*b, kIpProtocolIcmp, destination);
}

// A linear walk: a handful of programs ping at once, and a reply costs a
// comparison per listener; nothing here is worth a table.
EchoReplyListener* Icmp::find_listener(u16 id) {
    for (EchoReplyListener& listener : m_listeners)
        if (listener.m_echo_id == id) return &listener;
    return nullptr;
}

Result<u16> Icmp::listen_echo(EchoReplyListener& listener, u16 preferred) {
    VERIFY_MSG(!listener.listening(), "echo listener linked twice");
    // At most m_listeners.size() candidates are taken, so this many tries
    // find a free one whenever one exists.
    u16 id = preferred;
    for (usize tries = 0; tries <= m_listeners.size() && tries < 0x10000; ++tries, ++id) {
        if (find_listener(id)) continue;
        listener.m_echo_id = id;
        m_listeners.push_back(listener);
        return id;
    }
    return Error::Busy;
}

void Icmp::unlisten_echo(EchoReplyListener& listener) {
    if (listener.listening()) m_listeners.remove(listener);
}

}  // namespace mote
