// UDP (RFC 768): header validation, checksums, demultiplexing to sockets,
// and building outgoing datagrams.
//
// Receive drops, by name: a header cut short (truncated), a length field
// below 8 or beyond the IP payload (bad_length; bytes after it are cut), a
// wrong checksum (bad_checksum; a zero checksum means "none", RFC 768), and
// datagrams for ports nobody bound (no_socket, answered with a rate-limited
// ICMP port unreachable unless they were broadcast).
//
// Payloads are capped at kMaxPayload so an outgoing datagram always fits one
// Ethernet frame: Mote never fragments.
#pragma once

#include "net/ipv4.hpp"
#include "net/udp_socket.hpp"

namespace mote {

class NetStack;

class Udp {
public:
    static constexpr usize kHeaderSize = 8;
    static constexpr usize kMaxPayload = 1500 - Ipv4::kHeaderSize - kHeaderSize;  // 1472
    static constexpr u16 kEphemeralFirst = 49152;  // IANA dynamic range (RFC 6335)

    explicit Udp(NetStack& stack) : m_stack(stack) {}
    ~Udp() { VERIFY_MSG(m_sockets.empty(), "UDP layer destroyed with sockets bound"); }
    Udp(const Udp&) = delete;
    Udp& operator=(const Udp&) = delete;

    // Takes ownership of `packet` (the UDP datagram).
    void receive(PacketBuffer& packet, const Ipv4Info& info);
    // Copies `payload` into a fresh buffer and sends it from `source_port`.
    // NoMemory: no buffer free now (nothing sent); NotFound: no route.
    Result<void> send(u16 source_port, UdpEndpoint to, ReadonlyBytes payload);

    // Socket table (for UdpSocket).
    Result<u16> bind(UdpSocket& socket, u16 port);
    void unbind(UdpSocket& socket);
    UdpSocket* find(u16 port);
    // Buffers are free again: let sockets with waiting sends retry.
    void buffers_available();
    // Visits every bound socket.
    template <typename F>
    void for_each_socket(F&& f) {
        for (UdpSocket& s : m_sockets) f(s);
    }

    UdpCounters counters;

private:
    NetStack& m_stack;
    IntrusiveList<UdpSocket, &UdpSocket::table_node> m_sockets;
    u16 m_next_ephemeral = kEphemeralFirst;
};

}  // namespace mote
