// DirHash: an in-memory index of a large directory's names, so that a
// lookup reads the one block that holds a name instead of every block of
// the directory. ext2 directories are linear lists of records (Mote drops
// Linux's htree index at the first change, see ext2_directory.cpp), and a
// create looks its name up several times (the open's walk, the parent walk,
// the create's own check): in a directory of 1000 names that was three
// scans of all its blocks per file. FreeBSD's UFS does the same for the
// same reason ("dirhash").
//
// The table maps the 32-bit hash of every name in use (".", ".." included)
// to the file block that holds it. Several names may share a hash; a
// lookup tries each candidate block in turn and reads the name there, so
// a hash collision costs a block visit, never a wrong answer.
//
// Authority: a DirHash is Ready (every name of the directory is in it, so
// a name it has no candidate for is not there) or it is not used. It is
// built by a full scan of the directory, which counts only if nothing
// changed the directory meanwhile (the scan may wait for reads), and then
// kept exact by every change: an entry added or removed is added or
// removed here. A change it cannot record (the table would be too full)
// drops it; the next lookup builds a new one.
//
// Memory: the table is one run of pages from the page allocator, sized
// from the directory's length so it cannot fill before the directory grows
// (a record is at least 12 bytes, so a directory of N bytes holds at most
// N / 12 names). Directories too large for kMaxSlots are not indexed.
// The pages go back with release(): when the node leaves the node cache,
// and when the table is dropped.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "mm/page_allocator.hpp"

namespace mote::fs::ext2 {

class DirHash {
public:
    static constexpr u32 kEnd = ~0u;
    // The largest table: 32768 slots of 8 bytes (64 pages), for
    // directories of up to about 288 KiB.
    static constexpr u32 kMaxSlots = 32768;

    enum class State : u8 { Absent, Building, Ready };

    DirHash() = default;
    DirHash(const DirHash&) = delete;
    DirHash& operator=(const DirHash&) = delete;
    ~DirHash() { release(); }

    State state() const { return m_state; }
    bool ready() const { return m_state == State::Ready; }

    // An empty table for a directory of `directory_bytes`, state Building.
    // Unsupported when the directory is too large to index, NoMemory.
    Result<void> prepare(PageAllocator& pages, u64 directory_bytes);
    // The build saw every name: lookups may trust the table now.
    void finish_build() { m_state = State::Ready; }
    // Back to Absent; the pages go back.
    void release();

    // `name` is in file block `logical`. False when the table is too full
    // to take it (then release() it: it no longer knows every name).
    bool insert(StringView name, u32 logical);
    // `name` left file block `logical`.
    void remove(StringView name, u32 logical);

    // The blocks that may hold `name`: probe(), then next() until kEnd.
    struct Probe {
        u32 hash = 0;
        u32 slot = 0;
        u32 steps = 0;
    };
    Probe probe(StringView name) const;
    u32 next(Probe& probe) const;

    u32 slots() const { return m_mask + 1; }
    u32 names() const { return m_used; }

private:
    // 0: never used; 1: a removed name (probes go on past it).
    static constexpr u32 kEmpty = 0;
    static constexpr u32 kRemoved = 1;
    struct Slot {
        u32 hash;
        u32 logical;
    };
    static u32 hash_of(StringView name);
    bool too_full(u32 extra) const { return (m_used + m_removed + extra) * 4 > slots() * 3; }

    PageAllocator* m_pages = nullptr;
    PhysAddr m_phys = 0;
    usize m_page_count = 0;
    Slot* m_slots = nullptr;
    u32 m_mask = 0;
    u32 m_used = 0;
    u32 m_removed = 0;
    State m_state = State::Absent;
};

}  // namespace mote::fs::ext2
