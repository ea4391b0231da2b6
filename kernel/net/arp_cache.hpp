// The ARP cache: IPv4 address -> MAC address, with expiry, and the packets
// waiting for each address being resolved.
//
// A fixed table (no allocation). An entry is Incomplete while requests are
// out and Reachable once a reply arrived; Reachable entries expire after
// Arp::kReachableTime (RFC 1122 2.3.2.1: entries must time out so a moved
// address is noticed). Each Incomplete entry holds at most kMaxWaiting
// packets; when it is full the oldest is dropped and the newest kept (RFC
// 1122 2.3.2.2: "SHOULD save at least one (the latest) packet").
// When the table is full, the entry expiring soonest is reused.
#pragma once

#include "core/timer.hpp"
#include "net/ipv4_address.hpp"
#include "dev/packet_buffer.hpp"

namespace mote {

enum class ArpState : u8 { Free, Incomplete, Reachable };

const char* arp_state_name(ArpState);

struct ArpEntry {
    Ipv4Address ip;
    MacAddress mac;
    ArpState state = ArpState::Free;
    // Reachable: when the entry expires. Incomplete: when to ask again.
    Nanoseconds deadline = 0;
    u8 requests = 0;         // requests sent for the current resolution or refresh
    bool used = false;       // a packet went out through it since it was learned
    bool refreshing = false; // a unicast refresh request is out
    PacketList waiting;
};

class ArpCache {
public:
    static constexpr usize kEntries = 32;
    static constexpr usize kMaxWaiting = 4;
    // Across all entries: waiting packets may be a driver's receive buffers
    // (an echo reply built in its request), so spoofed sources must not be
    // able to park a whole receive ring here.
    static constexpr usize kMaxWaitingTotal = 32;

    ArpCache() = default;
    ~ArpCache() { clear(); }
    ArpCache(const ArpCache&) = delete;
    ArpCache& operator=(const ArpCache&) = delete;

    ArpEntry* find(Ipv4Address ip);
    // A Free entry for `ip`; if the table is full, it reuses an unresolved
    // entry before a resolved one, the one whose deadline comes first of
    // those. `evicted` is set if a live entry was reused; its waiting
    // packets are released and counted in `dropped`.
    ArpEntry& claim(Ipv4Address ip, bool& evicted, usize& dropped);
    // Frees the entry; returns how many waiting packets were dropped.
    usize remove(ArpEntry& entry);
    void clear();

    usize size() const;
    usize waiting() const;
    Span<ArpEntry> entries() { return Span<ArpEntry>(m_entries, kEntries); }

private:
    ArpEntry m_entries[kEntries];
};

}  // namespace mote
