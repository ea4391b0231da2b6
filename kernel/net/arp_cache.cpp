#include "net/arp_cache.hpp"

namespace mote {

const char* arp_state_name(ArpState s) {
    switch (s) {
    case ArpState::Free: return "free";
    case ArpState::Incomplete: return "incomplete";
    case ArpState::Reachable: return "reachable";
    }
    return "?";
}

ArpEntry* ArpCache::find(Ipv4Address ip) {
    for (ArpEntry& e : m_entries)
        if (e.state != ArpState::Free && e.ip == ip) return &e;
    return nullptr;
}

ArpEntry& ArpCache::claim(Ipv4Address ip, bool& evicted, usize& dropped) {
    evicted = false;
    dropped = 0;
    ArpEntry* victim = nullptr;
    for (ArpEntry& e : m_entries) {
        if (e.state == ArpState::Free) {
            victim = &e;
            break;
        }
        if (!victim || e.deadline < victim->deadline) victim = &e;
    }
    if (victim->state != ArpState::Free) {
        evicted = true;
        dropped = remove(*victim);
    }
    victim->ip = ip;
    victim->mac = MacAddress {};
    victim->requests = 0;
    victim->used = false;
    victim->refreshing = false;
    victim->deadline = 0;
    return *victim;
}

usize ArpCache::remove(ArpEntry& entry) {
    usize dropped = entry.waiting.size();
    release_all(entry.waiting);
    entry.state = ArpState::Free;
    return dropped;
}

void ArpCache::clear() {
    for (ArpEntry& e : m_entries) (void)remove(e);
}

usize ArpCache::waiting() const {
    usize n = 0;
    for (const ArpEntry& e : m_entries) n += e.waiting.size();
    return n;
}

usize ArpCache::size() const {
    usize n = 0;
    for (const ArpEntry& e : m_entries)
        if (e.state != ArpState::Free) ++n;
    return n;
}

}  // namespace mote
