// IPv4 (RFC 791) for a host (RFC 1122 3.2.1, 3.3): no forwarding.
//
// Receive validates, in this order, each failure dropped with its own
// counter: header present (truncated), version 4 (bad_version), IHL at least
// 5 words and within the frame (bad_header_length), total length at least
// the header and within the frame (bad_total_length; bytes past it are
// Ethernet padding and cut off), header checksum (bad_checksum, unless
// verification is off for fuzzing), TTL not zero (ttl_expired), a source
// that can be a host (bad_source), not a fragment, and a destination that
// is ours. Options are skipped, not interpreted.
//
// Fragments are NOT reassembled: any datagram with MF set or a non-zero
// fragment offset is dropped and counted in fragments_dropped. Nothing Mote
// speaks needs them: UDP payloads are capped at 1472 bytes so our own
// datagrams never fragment, and DHCP/echo peers send small datagrams.
//
// Send routes on-link when the destination is in our subnet (or a
// broadcast), otherwise through the default gateway; no route is an error
// the caller sees (NotFound) and a counted drop. A datagram to ourselves
// (127.0.0.0/8, or our own address once we have one) goes through the
// Loopback instead (net/loopback.hpp) and comes back in as
// Arrival::Looped, which may carry a loopback or our own source address;
// from the wire both are refused (bad_source), and a destination in
// 127.0.0.0/8 is never ours (not_for_us).
#pragma once

#include "net/ipv4_address.hpp"
#include "net/net_counters.hpp"
#include "dev/packet_buffer.hpp"

namespace mote {

class NetStack;

inline constexpr u8 kIpProtocolIcmp = 1;
inline constexpr u8 kIpProtocolTcp = 6;
inline constexpr u8 kIpProtocolUdp = 17;

// What an upper layer learns about a received datagram.
struct Ipv4Info {
    Ipv4Address source;
    Ipv4Address destination;
    u8 protocol = 0;
    u8 ttl = 0;
    bool to_broadcast = false;  // limited or subnet broadcast (or unconfigured)
    // The datagram's IP header, options included. It lives in the buffer's
    // headroom, valid while the buffer is owned and nothing is pushed.
    ReadonlyBytes header;
};

class Ipv4 {
public:
    static constexpr usize kHeaderSize = 20;
    static constexpr u8 kDefaultTtl = 64;

    explicit Ipv4(NetStack& stack) : m_stack(stack) {}
    Ipv4(const Ipv4&) = delete;
    Ipv4& operator=(const Ipv4&) = delete;

    // How a datagram reached receive(): from the device, or sent by this
    // host to itself.
    enum class Arrival : u8 { Wire, Looped };
    // Takes ownership of `packet` (Ethernet header stripped).
    void receive(PacketBuffer& packet, Arrival arrival = Arrival::Wire);
    // Prepends an IPv4 header to `payload` and sends it to `destination`.
    // `source` zero means our address. Takes ownership, whatever the result.
    Result<void> send(PacketBuffer& payload, u8 protocol, Ipv4Address destination, Ipv4Address source = {});
    // The next hop for `destination`: itself when on-link, the gateway
    // otherwise, broadcast for broadcasts. NotFound if there is no route.
    Result<Ipv4Address> route(Ipv4Address destination) const;
    // Whether `destination` is this host: 127.0.0.0/8 or our own address.
    bool is_local(Ipv4Address destination) const;
    // The source address for datagrams to `destination`: 127.0.0.1 to a
    // loopback address, our own address otherwise (zero before we have one).
    Ipv4Address source_for(Ipv4Address destination) const;

    Ipv4Counters counters;

private:
    bool is_broadcast(Ipv4Address destination) const;

    NetStack& m_stack;
    u16 m_next_id = 1;
};

}  // namespace mote
