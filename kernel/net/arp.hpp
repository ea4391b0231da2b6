// ARP for IPv4 over Ethernet (RFC 826), with the host rules of RFC 1122
// 2.3.2.
//
// * Answers requests for our address, learning the asker's mapping.
// * Resolves next hops for IPv4: packets to an unresolved address wait on
//   its cache entry (bounded) while requests go out once a second, up to
//   kMaxRequests; then the waiting packets are dropped and counted.
// * Refreshes entries in use shortly before they expire with a unicast
//   request (RFC 1122 2.3.2.1, "unicast poll"), so a busy flow never stalls
//   on a fresh resolution.
// * Announces our address with a gratuitous request (sender = target = our
//   address) when it is configured, so neighbours update stale caches.
#pragma once

#include "net/arp_cache.hpp"
#include "net/net_counters.hpp"

namespace mote {

class NetStack;

class Arp {
public:
    static constexpr usize kPacketSize = 28;
    static constexpr Nanoseconds kReachableTime = 60 * kSecond;
    static constexpr Nanoseconds kRefreshWindow = 5 * kSecond;
    static constexpr Nanoseconds kRetryInterval = 1 * kSecond;
    static constexpr u8 kMaxRequests = 3;

    explicit Arp(NetStack& stack) : m_stack(stack) {}
    Arp(const Arp&) = delete;
    Arp& operator=(const Arp&) = delete;

    // Takes ownership of `packet` (Ethernet header stripped).
    void receive(PacketBuffer& packet);
    // Sends an IPv4 packet to the next hop `ip` on the link, resolving it
    // first if needed. Takes ownership.
    void send_ipv4(PacketBuffer& packet, Ipv4Address next_hop);
    void announce();
    // Retries, expiry and refresh; the stack calls it once a second.
    void tick(Nanoseconds now);

    ArpCache& cache() { return m_cache; }
    ArpCounters counters;

private:
    void send_packet(u16 operation, MacAddress destination, MacAddress target_mac, Ipv4Address target_ip);
    void learn(ArpEntry& entry, MacAddress mac);

    NetStack& m_stack;
    ArpCache m_cache;
};

}  // namespace mote
