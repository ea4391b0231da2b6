// ICMP for IPv4 (RFC 792) as a host needs it (RFC 1122 3.2.2):
// * echo requests are answered in place: the request's own buffer becomes
//   the reply, so answering costs no allocation and no copy;
// * echo replies go to the one listener (the ping client);
// * port unreachable is sent for UDP datagrams to closed ports, at most
//   kUnreachableBurst at once and kUnreachablePerSecond on average (a token
//   bucket, RFC 1122 3.2.2 "SHOULD limit"), never in answer to a broadcast.
#pragma once

#include "core/timer.hpp"
#include "net/ipv4.hpp"

namespace mote {

class NetStack;

class EchoReplyListener {
public:
    virtual void on_echo_reply(Ipv4Address from, u16 id, u16 sequence, u8 ttl, ReadonlyBytes payload) = 0;

protected:
    ~EchoReplyListener() = default;
};

class Icmp {
public:
    static constexpr usize kHeaderSize = 8;
    static constexpr u32 kUnreachablePerSecond = 10;
    static constexpr u32 kUnreachableBurst = 10;

    explicit Icmp(NetStack& stack) : m_stack(stack) {}
    Icmp(const Icmp&) = delete;
    Icmp& operator=(const Icmp&) = delete;

    // Takes ownership of `packet` (the ICMP message).
    void receive(PacketBuffer& packet, const Ipv4Info& info);
    // RFC 792 type 3 code 3, quoting the original IP header and the first
    // 8 bytes of its payload (`datagram` is that payload). Rate-limited.
    void send_port_unreachable(const Ipv4Info& info, const PacketBuffer& datagram);
    // Sends an echo request with `payload_size` bytes of pattern.
    Result<void> send_echo_request(Ipv4Address destination, u16 id, u16 sequence, usize payload_size);

    void set_listener(EchoReplyListener* listener) { m_listener = listener; }

    IcmpCounters counters;

private:
    bool take_token();

    NetStack& m_stack;
    EchoReplyListener* m_listener = nullptr;
    u32 m_tokens = kUnreachableBurst;
    Nanoseconds m_refilled = 0;
};

}  // namespace mote
