#include "net/ipv4.hpp"

#include "net/checksum.hpp"
#include "net/net_stack.hpp"
#include "net/wire.hpp"

namespace mote {

namespace {
constexpr u16 kFlagMoreFragments = 0x2000;
constexpr u16 kFragmentOffsetMask = 0x1fff;
}  // namespace

bool Ipv4::is_broadcast(Ipv4Address destination) const {
    if (destination.is_broadcast()) return true;
    const Ipv4Config& c = m_stack.config();
    // The subnet's directed broadcast: host part all ones (RFC 1122 3.3.6).
    return c.configured() && c.netmask.value != 0xffffffffu &&
           destination.value == (c.address.value | ~c.netmask.value);
}

bool Ipv4::is_local(Ipv4Address destination) const {
    const Ipv4Config& c = m_stack.config();
    return destination.is_loopback() || (c.configured() && destination == c.address);
}

Ipv4Address Ipv4::source_for(Ipv4Address destination) const {
    if (destination.is_loopback()) return Ipv4Address {0x7f000001};
    return m_stack.config().address;
}

void Ipv4::receive(PacketBuffer& packet, Arrival arrival) {
    ++counters.received;
    const u8* h = packet.data();
    usize length = packet.length();
    u64* bad = nullptr;
    usize header_length = 0;
    usize total_length = 0;
    if (length < kHeaderSize) {
        bad = &counters.truncated;
    } else if ((h[0] >> 4) != 4) {
        bad = &counters.bad_version;
    } else {
        header_length = usize(h[0] & 0xf) * 4;
        total_length = load_be16(h + 2);
        if (header_length < kHeaderSize || header_length > length) bad = &counters.bad_header_length;
        else if (total_length < header_length || total_length > length) bad = &counters.bad_total_length;
        else if (m_stack.verify_checksums() && internet_checksum(ReadonlyBytes(h, header_length)) != 0)
            bad = &counters.bad_checksum;
        else if (h[8] == 0) bad = &counters.ttl_expired;
    }
    Ipv4Info info;
    if (!bad) {
        info.source.value = load_be32(h + 12);
        info.destination.value = load_be32(h + 16);
        info.protocol = h[9];
        info.ttl = h[8];
        u16 fragment = load_be16(h + 6);
        const Ipv4Config& c = m_stack.config();
        const bool looped = arrival == Arrival::Looped;
        if (info.source.is_broadcast() || info.source.is_multicast() ||
            (!looped && (info.source.is_loopback() || (c.configured() && info.source == c.address))))
            bad = &counters.bad_source;
        else if ((fragment & kFlagMoreFragments) || (fragment & kFragmentOffsetMask))
            bad = &counters.fragments_dropped;
        else if (looped) {
            // Sent by us to us (Loopback): ours if it still is (the address
            // may have gone since it was sent).
            if (!is_local(info.destination)) bad = &counters.not_for_us;
        } else if (!c.configured()) {
            // Before DHCP finishes the server may address the offer to the
            // address it offers (RFC 2131 4.1): take UDP to anything, and
            // nothing else, since we could not answer it with a source.
            if (info.protocol != kIpProtocolUdp) bad = &counters.unconfigured;
            info.to_broadcast = true;
        } else if (is_broadcast(info.destination)) {
            info.to_broadcast = true;
        } else if (!(info.destination == c.address)) {
            bad = &counters.not_for_us;
        }
    }
    if (bad) {
        ++*bad;
        packet.release();
        return;
    }
    // Perform: cut the Ethernet padding, keep the header visible for ICMP
    // errors, and hand the payload up.
    MUST(packet.trim(total_length));
    info.header = ReadonlyBytes(packet.data(), header_length);
    MUST(packet.pull(header_length));
    ++counters.delivered;
    switch (info.protocol) {
    case kIpProtocolIcmp: m_stack.icmp().receive(packet, info); return;
    case kIpProtocolUdp: m_stack.udp().receive(packet, info); return;
    case kIpProtocolTcp: m_stack.tcp().receive(packet, info); return;
    default:
        ++counters.unknown_protocol;
        packet.release();
        return;
    }
}

Result<Ipv4Address> Ipv4::route(Ipv4Address destination) const {
    const Ipv4Config& c = m_stack.config();
    if (is_local(destination)) return destination;  // the Loopback
    if (is_broadcast(destination)) return destination;
    if (!c.configured() || destination.is_zero() || destination.is_multicast()) return Error::NotFound;
    if (destination.same_subnet(c.address, c.netmask)) return destination;
    if (!c.gateway.is_zero()) return c.gateway;
    return Error::NotFound;
}

Result<void> Ipv4::send(PacketBuffer& payload, u8 protocol, Ipv4Address destination, Ipv4Address source) {
    auto next_hop = route(destination);
    if (next_hop.is_error()) {
        ++counters.no_route;
        payload.release();
        return next_hop.error();
    }
    const bool local = is_local(destination);
    if (source.is_zero()) source = source_for(destination);
    usize total = payload.length() + kHeaderSize;
    auto pushed = payload.push(kHeaderSize);
    if (pushed.is_error() || total > 0xffff) {
        payload.release();
        return Error::Overflow;
    }
    u8* h = pushed.value().data();
    h[0] = 0x45;  // version 4, five-word header
    h[1] = 0;     // TOS: routine
    store_be16(h + 2, u16(total));
    store_be16(h + 4, m_next_id++);
    store_be16(h + 6, 0);  // may fragment, none here
    h[8] = kDefaultTtl;
    h[9] = protocol;
    store_be16(h + 10, 0);
    store_be32(h + 12, source.value);
    store_be32(h + 16, destination.value);
    store_be16(h + 10, internet_checksum(ReadonlyBytes(h, kHeaderSize)));
    ++counters.sent;
    if (local) m_stack.loopback().post(payload);
    else if (is_broadcast(destination)) m_stack.ethernet().send(payload, MacAddress::broadcast(), kEtherTypeIpv4);
    else m_stack.arp().send_ipv4(payload, next_hop.value());
    return {};
}

}  // namespace mote
