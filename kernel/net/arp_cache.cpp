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
    // A free entry, else the unresolved one asked about longest ago, else
    // the resolved one closest to expiry. Resolutions that nobody answers
    // (a SYN flood from made-up sources has Mote look up every one) then
    // push out only each other: at most one resolved neighbour (the
    // gateway) goes, and not over and over.
    ArpEntry* victim = nullptr;
    auto better = [](const ArpEntry& e, const ArpEntry& than) {
        const bool e_unresolved = e.state == ArpState::Incomplete;
        const bool than_unresolved = than.state == ArpState::Incomplete;
        if (e_unresolved != than_unresolved) return e_unresolved;
        return e.deadline < than.deadline;
    };
    for (ArpEntry& e : m_entries) {
        if (e.state == ArpState::Free) {
            victim = &e;
            break;
        }
        if (!victim || better(e, *victim)) victim = &e;
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
