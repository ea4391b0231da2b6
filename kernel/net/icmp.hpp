// ICMP for IPv4 (RFC 792) as a host needs it (RFC 1122 3.2.2):
// * echo requests are answered in place: the request's own buffer becomes
//   the reply, so answering costs no allocation and no copy;
// * echo replies go to the listener whose identifier they carry (a ping
//   socket); one that nobody listens for is counted and freed;
// * port unreachable is sent for UDP datagrams to closed ports, at most
//   kUnreachableBurst at once and kUnreachablePerSecond on average (a token
//   bucket, RFC 1122 3.2.2 "SHOULD limit"), never in answer to a broadcast.
#pragma once

#include "base/list.hpp"
#include "core/timer.hpp"
#include "net/ipv4.hpp"

namespace mote {

class NetStack;

// Where echo replies with one identifier go. The Icmp links listeners in
// its list (listen_echo) and finds one by the reply's identifier; a
// listener is never freed while linked (unlisten_echo first).
class EchoReplyListener {
public:
    // `packet` is the whole ICMP message (its 8-byte header, then the
    // echo data) and is the listener's to keep or release; `from` and
    // `ttl` come from the IPv4 header, which is not in the window.
    virtual void on_echo_reply(PacketBuffer& packet, Ipv4Address from, u8 ttl) = 0;

    u16 echo_id() const { return m_echo_id; }
    bool listening() const { return m_node.is_linked(); }

protected:
    ~EchoReplyListener() = default;

private:
    friend class Icmp;
    ListNode m_node;
    u16 m_echo_id = 0;
};

class Icmp {
public:
    static constexpr usize kHeaderSize = 8;
    // The most echo data one IPv4 packet of 1500 bytes carries.
    static constexpr usize kEchoMax = 1472;
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
    // Sends an echo request carrying `payload` (at most kEchoMax bytes:
    // InvalidArgument beyond). NotFound without a route, NoMemory without
    // a free transmit buffer.
    Result<void> send_echo_request(Ipv4Address destination, u16 id, u16 sequence, ReadonlyBytes payload);

    // Echo replies with an identifier of its own go to `listener` from now
    // on: the first one free from `preferred` on (so two listeners never
    // share one, and a caller that varies `preferred` does not get the
    // last one's back). Returns it; Busy if every identifier is taken.
    Result<u16> listen_echo(EchoReplyListener& listener, u16 preferred);
    // Nothing more reaches `listener` (it may be freed). Harmless twice.
    void unlisten_echo(EchoReplyListener& listener);
    usize echo_listeners() const { return m_listeners.size(); }

    IcmpCounters counters;

private:
    bool take_token();
    EchoReplyListener* find_listener(u16 id);
    Result<void> send_echo(Ipv4Address destination, u16 id, u16 sequence, usize size, const u8* payload);

    NetStack& m_stack;
    IntrusiveList<EchoReplyListener, &EchoReplyListener::m_node> m_listeners;
    u32 m_tokens = kUnreachableBurst;
    Nanoseconds m_refilled = 0;
};

}  // namespace mote
