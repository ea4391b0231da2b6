// Loopback: datagrams a host sends to itself (127.0.0.0/8, or its own
// address) never reach the device; IPv4 hands them here and they come back
// in through Ipv4::receive on a later loop turn, as if they had arrived.
//
// Why a queue and not a direct call: Ipv4::send runs inside a layer's own
// code (a TCP connection sending, a socket's write); receiving at once would
// re-enter that layer from the middle of its work. The deferred call breaks
// the recursion, and each turn delivers only what was queued when it began
// (a reply sent during delivery waits for the next one), so a ping-pong
// between two local sockets cannot starve the loop.
//
// Ownership: a queued buffer is the loopback's; delivery hands it to IPv4,
// which owns it from then on as it owns a received frame. The queue is
// bounded (kQueueMax, two thirds of the stack's TX pool, where every
// looped datagram's buffer comes from, so traffic to ourselves cannot take
// every buffer the device needs); a datagram beyond it is released and
// counted in ipv4.loopback_full, as a full device queue would drop it.
#pragma once

#include "core/deferred.hpp"
#include "dev/packet_buffer.hpp"

namespace mote {

class NetStack;

class Loopback {
public:
    static constexpr usize kQueueMax = 32;

    explicit Loopback(NetStack& stack);
    ~Loopback();
    Loopback(const Loopback&) = delete;
    Loopback& operator=(const Loopback&) = delete;

    // Takes ownership of `datagram` (a whole IPv4 datagram, header included).
    void post(PacketBuffer& datagram);
    // Releases everything queued (the stack is stopping).
    void drop_all();
    usize queued() const { return m_queue.size(); }

private:
    static void on_deliver(Deferred& call);

    NetStack& m_stack;
    PacketList m_queue;
    Deferred m_deliver;
};

}  // namespace mote
