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
        if (m_listener)
            m_listener->on_echo_reply(info.source, load_be16(m + 4), load_be16(m + 6), info.ttl,
                                      packet.bytes().slice(kHeaderSize));
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
    if (payload_size > 1472) return Error::InvalidArgument;
    TRY(m_stack.ipv4().route(destination));
    PacketBuffer* b = m_stack.tx_pool().allocate();
    if (!b) {
        ++counters.no_buffer;
        return Error::NoMemory;
    }
    u8* m = MUST(b->put(kHeaderSize + payload_size)).data();
    m[0] = kTypeEchoRequest;
    m[1] = 0;
    store_be16(m + 2, 0);
    store_be16(m + 4, id);
    store_be16(m + 6, sequence);
    for (usize i = 0; i < payload_size; ++i) m[kHeaderSize + i] = u8(i);
    store_be16(m + 2, internet_checksum(b->bytes()));
    ++counters.sent;
    return m_stack.ipv4().send(*b, kIpProtocolIcmp, destination);
}

}  // namespace mote
