#include "fs/jbd2/revoke_table.hpp"

#include "fs/jbd2/journal_format.hpp"

namespace mote::fs::jbd2 {

RevokeTable::RevokeTable(Span<RevokeEntry> storage) : m_entries(storage) { clear(); }

void RevokeTable::clear() {
    for (RevokeEntry& e : m_entries) e = RevokeEntry {};
    m_size = 0;
}

usize RevokeTable::home_slot(u64 block) const {
    // Fibonacci hashing spreads runs of neighbouring block numbers (the
    // usual revoke pattern) over the table.
    const u64 h = block * 0x9E3779B97F4A7C15ull;
    return usize((h >> 32) % m_entries.size());
}

Result<void> RevokeTable::add(u64 block, u32 sequence) {
    if (m_entries.empty()) return Error::NoMemory;
    usize slot = home_slot(block);
    for (usize probe = 0; probe < m_entries.size(); ++probe) {
        RevokeEntry& e = m_entries[slot];
        if (!e.used) {
            e = RevokeEntry {block, sequence, 1};
            ++m_size;
            return {};
        }
        if (e.block == block) {
            if (sequence_after(sequence, e.sequence)) e.sequence = sequence;
            return {};
        }
        slot = slot + 1 == m_entries.size() ? 0 : slot + 1;
    }
    return Error::NoMemory;
}

bool RevokeTable::revoked(u64 block, u32 sequence) const {
    if (m_entries.empty()) return false;
    usize slot = home_slot(block);
    for (usize probe = 0; probe < m_entries.size(); ++probe) {
        const RevokeEntry& e = m_entries[slot];
        if (!e.used) return false;
        if (e.block == block) return !sequence_after(sequence, e.sequence);
        slot = slot + 1 == m_entries.size() ? 0 : slot + 1;
    }
    return false;
}

}  // namespace mote::fs::jbd2
