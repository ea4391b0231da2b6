#include "fs/ext2/dir_hash.hpp"

#include "base/memory.hpp"

namespace mote::fs::ext2 {

namespace {
// The smallest record: 8 bytes of header and a name of 1 to 4 bytes.
constexpr u64 kSmallestRecord = 12;
constexpr u32 kMinSlots = 64;
}  // namespace

u32 DirHash::hash_of(StringView name) {
    // FNV-1a: names are short and this runs once per name per operation.
    u32 hash = 2166136261u;
    for (char c : name) hash = (hash ^ u8(c)) * 16777619u;
    return hash < 2 ? hash + 2 : hash;  // 0 and 1 mark free slots
}

Result<void> DirHash::prepare(PageAllocator& pages, u64 directory_bytes) {
    VERIFY(m_state == State::Absent);
    // Room for every name the directory can hold at three quarters full.
    const u64 names = directory_bytes / kSmallestRecord + 1;
    u64 slots = kMinSlots;
    while (slots * 3 < names * 4) slots *= 2;
    if (slots > kMaxSlots) return Error::Unsupported;
    const usize bytes = usize(slots) * sizeof(Slot);
    const usize count = (bytes + kPageSize - 1) / kPageSize;
    m_phys = TRY(pages.allocate_pages(count));
    m_pages = &pages;
    m_page_count = count;
    m_slots = static_cast<Slot*>(pages.to_virtual(m_phys));
    mem_set(m_slots, 0, bytes);
    m_mask = u32(slots - 1);
    m_used = 0;
    m_removed = 0;
    m_state = State::Building;
    return {};
}

void DirHash::release() {
    if (m_page_count) m_pages->free_pages(m_phys, m_page_count);
    m_page_count = 0;
    m_slots = nullptr;
    m_mask = 0;
    m_used = m_removed = 0;
    m_state = State::Absent;
}

bool DirHash::insert(StringView name, u32 logical) {
    VERIFY(m_slots);
    if (too_full(1)) return false;
    const u32 hash = hash_of(name);
    // The first free slot on the probe path; a removed slot is reused
    // (probes for other names pass it either way).
    for (u32 slot = hash & m_mask;; slot = (slot + 1) & m_mask) {
        Slot& s = m_slots[slot];
        if (s.hash == kEmpty || s.hash == kRemoved) {
            if (s.hash == kRemoved) --m_removed;
            s = {hash, logical};
            ++m_used;
            return true;
        }
    }
}

void DirHash::remove(StringView name, u32 logical) {
    VERIFY(m_slots);
    const u32 hash = hash_of(name);
    for (u32 slot = hash & m_mask, steps = 0; steps <= m_mask; slot = (slot + 1) & m_mask, ++steps) {
        Slot& s = m_slots[slot];
        if (s.hash == kEmpty) break;
        if (s.hash == hash && s.logical == logical) {
            s.hash = kRemoved;
            --m_used;
            ++m_removed;
            return;
        }
    }
    // Every name in the directory is in the table: a name removed from the
    // directory that the table lacks means it was not kept exact.
    VERIFY_MSG(false, "dirhash: a removed name was not indexed");
}

DirHash::Probe DirHash::probe(StringView name) const {
    const u32 hash = hash_of(name);
    return {hash, hash & m_mask, 0};
}

u32 DirHash::next(Probe& probe) const {
    // Insert never leaves the table full, so an empty slot ends each probe;
    // steps bounds it anyway.
    while (probe.steps <= m_mask) {
        const Slot& s = m_slots[probe.slot];
        probe.slot = (probe.slot + 1) & m_mask;
        ++probe.steps;
        if (s.hash == kEmpty) break;
        if (s.hash == probe.hash) return s.logical;
    }
    probe.steps = m_mask + 1;
    return kEnd;
}

}  // namespace mote::fs::ext2
