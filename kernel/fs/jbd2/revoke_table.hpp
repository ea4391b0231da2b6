// The set of revoked blocks recovery collects in its revoke pass, in
// storage the caller provides.
//
// For each revoked block it keeps the latest transaction that revoked it
// (transaction IDs compared modulo 2^32, like jbd2). A logged copy of the
// block from transaction T is skipped when that latest revoke is >= T.
//
// Open addressing with linear probing over the caller's entries; every
// operation probes at most capacity() entries. When all entries are in use
// a new block cannot be added: add() fails with Error::NoMemory and the
// caller names it RevokeTableFull. Recovery without the complete set would
// replay stale blocks, so it stops instead.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "base/types.hpp"

namespace mote::fs::jbd2 {

struct RevokeEntry {
    u64 block = 0;
    u32 sequence = 0;
    u32 used = 0;
};

class RevokeTable {
public:
    explicit RevokeTable(Span<RevokeEntry> storage);

    // Records a revoke of `block` by transaction `sequence`.
    Result<void> add(u64 block, u32 sequence);
    // Whether a logged copy of `block` from transaction `sequence` is revoked.
    bool revoked(u64 block, u32 sequence) const;

    usize size() const { return m_size; }
    usize capacity() const { return m_entries.size(); }
    void clear();

private:
    usize home_slot(u64 block) const;

    Span<RevokeEntry> m_entries;
    usize m_size = 0;
};

}  // namespace mote::fs::jbd2
