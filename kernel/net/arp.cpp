#include "net/arp.hpp"

#include "base/memory.hpp"
#include "core/log.hpp"
#include "net/ethernet.hpp"
#include "net/net_stack.hpp"
#include "net/wire.hpp"

namespace mote {

namespace {
constexpr u16 kHardwareEthernet = 1;
constexpr u16 kOpRequest = 1;
constexpr u16 kOpReply = 2;
}  // namespace

void Arp::receive(PacketBuffer& packet) {
    ++counters.received;
    // Decode: the fixed 28-byte Ethernet/IPv4 form, every size field as
    // RFC 826 defines it for this pair. Anything else is dropped by name.
    const u8* p = packet.data();
    u64* bad = nullptr;
    if (packet.length() < kPacketSize) bad = &counters.truncated;
    else if (load_be16(p) != kHardwareEthernet) bad = &counters.bad_hardware;
    else if (load_be16(p + 2) != kEtherTypeIpv4) bad = &counters.bad_protocol;
    else if (p[4] != 6 || p[5] != 4) bad = &counters.bad_sizes;
    else if (load_be16(p + 6) != kOpRequest && load_be16(p + 6) != kOpReply) bad = &counters.bad_operation;
    MacAddress sender_mac;
    Ipv4Address sender_ip, target_ip;
    if (!bad) {
        mem_copy(sender_mac.bytes, p + 8, 6);
        sender_ip.value = load_be32(p + 14);
        target_ip.value = load_be32(p + 24);
        if (sender_mac.is_multicast() || sender_mac.is_zero() || sender_ip.is_broadcast() || sender_ip.is_multicast())
            bad = &counters.bad_sender;
    }
    if (bad) {
        ++*bad;
        packet.release();
        return;
    }
    u16 operation = load_be16(p + 6);
    packet.release();

    // Perform: RFC 826 "Packet Reception". Update an existing entry for the
    // sender whatever the target; add one only when we are the target.
    const Ipv4Config& config = m_stack.config();
    bool for_us = config.configured() && target_ip == config.address;
    if (config.configured() && sender_ip == config.address) {
        log_warn("arp", "{} claims our address {}", mac_text(sender_mac), ip_text(sender_ip));
        return;
    }
    bool merged = false;
    if (!sender_ip.is_zero()) {
        if (ArpEntry* e = m_cache.find(sender_ip)) {
            learn(*e, sender_mac);
            merged = true;
        }
    }
    if (!for_us) {
        if (!merged) ++counters.not_for_us;
        return;
    }
    if (!merged && !sender_ip.is_zero()) {
        bool evicted;
        usize dropped;
        ArpEntry& e = m_cache.claim(sender_ip, evicted, dropped);
        counters.cache_evictions += evicted;
        counters.unresolved_dropped += dropped;
        learn(e, sender_mac);
    }
    if (operation == kOpRequest) {
        ++counters.requests_answered;
        send_packet(kOpReply, sender_mac, sender_mac, sender_ip);
    }
}

void Arp::learn(ArpEntry& e, MacAddress mac) {
    if (e.state == ArpState::Reachable && !(e.mac == mac))
        log_info("arp", "{} moved to {}", ip_text(e.ip), mac_text(mac));
    if (e.state == ArpState::Incomplete || e.refreshing) ++counters.replies_learned;
    e.mac = mac;
    e.state = ArpState::Reachable;
    e.deadline = m_stack.now() + kReachableTime;
    e.requests = 0;
    e.used = false;
    e.refreshing = false;
    while (PacketBuffer* packet = e.waiting.pop_front()) m_stack.ethernet().send(*packet, mac, kEtherTypeIpv4);
}

void Arp::send_ipv4(PacketBuffer& packet, Ipv4Address next_hop) {
    ArpEntry* e = m_cache.find(next_hop);
    if (e && e->state == ArpState::Reachable) {
        e->used = true;
        m_stack.ethernet().send(packet, e->mac, kEtherTypeIpv4);
        return;
    }
    if (!e) {
        bool evicted;
        usize dropped;
        e = &m_cache.claim(next_hop, evicted, dropped);
        counters.cache_evictions += evicted;
        counters.unresolved_dropped += dropped;
        e->state = ArpState::Incomplete;
        e->requests = 1;
        e->deadline = m_stack.now() + kRetryInterval;
        send_packet(kOpRequest, MacAddress::broadcast(), MacAddress {}, next_hop);
    }
    if (e->waiting.size() >= ArpCache::kMaxWaiting) {
        ++counters.queue_full;
        e->waiting.pop_front()->release();
    } else if (m_cache.waiting() >= ArpCache::kMaxWaitingTotal) {
        ++counters.queue_full;
        packet.release();
        return;
    }
    ++counters.queued;
    e->waiting.push_back(packet);
}

void Arp::announce() {
    const Ipv4Config& config = m_stack.config();
    if (!config.configured() || !m_stack.device()) return;
    ++counters.gratuitous_sent;
    send_packet(kOpRequest, MacAddress::broadcast(), MacAddress {}, config.address);
}

void Arp::tick(Nanoseconds now) {
    for (ArpEntry& e : m_cache.entries()) {
        if (e.state == ArpState::Incomplete && now >= e.deadline) {
            if (e.requests >= kMaxRequests) {
                counters.unresolved_dropped += m_cache.remove(e);
                continue;
            }
            ++e.requests;
            e.deadline = now + kRetryInterval;
            send_packet(kOpRequest, MacAddress::broadcast(), MacAddress {}, e.ip);
        } else if (e.state == ArpState::Reachable) {
            if (now >= e.deadline) {
                (void)m_cache.remove(e);
            } else if (e.used && e.deadline - now <= kRefreshWindow && e.requests < kMaxRequests) {
                // Ask the neighbour directly; if it does not answer, the
                // entry still expires on time and the next packet resolves
                // afresh with broadcasts.
                if (!e.refreshing) ++counters.refreshes;
                e.refreshing = true;
                ++e.requests;
                send_packet(kOpRequest, e.mac, MacAddress {}, e.ip);
            }
        }
    }
}

void Arp::send_packet(u16 operation, MacAddress destination, MacAddress target_mac, Ipv4Address target_ip) {
    NetDevice* device = m_stack.device();
    if (!device) return;
    PacketBuffer* b = m_stack.tx_pool().allocate();
    if (!b) {
        ++counters.no_buffer;
        return;
    }
    u8* p = MUST(b->put(kPacketSize)).data();
    store_be16(p, kHardwareEthernet);
    store_be16(p + 2, kEtherTypeIpv4);
    p[4] = 6;
    p[5] = 4;
    store_be16(p + 6, operation);
    mem_copy(p + 8, device->mac().bytes, 6);
    store_be32(p + 14, m_stack.config().address.value);
    mem_copy(p + 18, target_mac.bytes, 6);
    store_be32(p + 24, target_ip.value);
    ++counters.sent;
    m_stack.ethernet().send(*b, destination, kEtherTypeArp);
}

}  // namespace mote

