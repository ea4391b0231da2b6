// Ethernet II framing (the DIX header: destination, source, EtherType).
//
// Receive: checks the header is there and the frame is for us (our MAC or
// broadcast; multicast groups are not joined), strips the header and hands
// the payload to ARP or IPv4 by EtherType.
// Send: prepends the header, pads to the 60-byte minimum (IEEE 802.3 4.2.3.3,
// without the FCS the device adds) and transmits. When the device's queue is
// full the frame waits on a bounded backlog, in order, until the device says
// it has room (NetReceiver::on_transmit_ready); beyond the bound it is a
// counted drop.
#pragma once

#include "dev/net_device.hpp"
#include "net/net_counters.hpp"
#include "dev/packet_buffer.hpp"

namespace mote {

class NetStack;

inline constexpr u16 kEtherTypeIpv4 = 0x0800;
inline constexpr u16 kEtherTypeArp = 0x0806;
inline constexpr usize kEthernetHeaderSize = 14;
inline constexpr usize kEthernetMinFrame = 60;

class Ethernet {
public:
    static constexpr usize kMaxBacklog = 64;

    explicit Ethernet(NetStack& stack) : m_stack(stack) {}
    ~Ethernet() { drop_backlog(); }
    Ethernet(const Ethernet&) = delete;
    Ethernet& operator=(const Ethernet&) = delete;

    // Takes ownership of `frame`.
    void receive(PacketBuffer& frame);
    // Takes ownership of `packet` (the payload; the header is prepended).
    void send(PacketBuffer& packet, MacAddress destination, u16 type);
    // Retries the backlog (the device has room again).
    void flush();
    void drop_backlog();
    usize backlog() const { return m_backlog.size(); }

    EthernetCounters counters;

private:
    void transmit_or_queue(PacketBuffer& frame);

    NetStack& m_stack;
    PacketList m_backlog;
};

}  // namespace mote
