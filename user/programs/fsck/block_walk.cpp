// Walking an inode's block map: the 12 direct pointers, then the single,
// double and triple indirect trees, each pointer shown to a visitor that
// may keep, clear or replace it. Pass 1 clears pointers out of range, pass
// 1b replaces shared blocks with copies, the orphan list cuts a map at a
// size, passes 2 and 3 read directory blocks; one walker serves them all.
#include "checker_state.hpp"

#include "fs/ext2/le_bytes.hpp"

namespace mote::fsck {

namespace {

struct Walk {
    Checker& checker;
    BlockVisitor visitor;
    void* context;
    u64 budget;
    u64 visited = 0;
};

u64 power(u64 base, u32 exponent) {
    u64 out = 1;
    while (exponent--) out *= base;
    return out;
}

// Visits the indirect block `pointer` (`level` levels above the data,
// its first logical block `first`) and everything under it; returns the
// pointer to keep in its parent.
Result<u32> walk_indirect(Walk& walk, u32 pointer, u32 level, u64 first) {
    Checker& c = walk.checker;
    const Geometry& g = c.geometry();
    const u64 p = g.pointers_per_block;
    if (++walk.visited > walk.budget) return Error::Overflow;
    const u32 kept = walk.visitor(walk.context, BlockRef {pointer, level, first, power(p, level)});
    // Out-of-range pointers left in place (check-only mode) are not followed.
    if (kept == 0 || !g.is_data_block(kept)) return kept;
    Bytes block(c.m_level[level - 1], g.block_size);
    TRY(c.read_block(kept, block));
    bool dirty = false;
    const u64 child_span = power(p, level - 1);
    for (u32 i = 0; i < p; ++i) {
        const u32 entry = load_le32(block, 4 * i);
        if (entry == 0) continue;
        u32 next;
        if (level == 1) {
            if (++walk.visited > walk.budget) return Error::Overflow;
            next = walk.visitor(walk.context, BlockRef {entry, 0, first + i, 1});
        } else {
            next = TRY(walk_indirect(walk, entry, level - 1, first + i * child_span));
            // The recursion used the lower levels' buffers only; this
            // level's block is still in place.
        }
        if (next != entry) {
            store_le32(block, 4 * i, next);
            dirty = true;
        }
    }
    if (dirty && c.fixing()) TRY(c.write_block(kept, block));
    return kept;
}

}  // namespace

Result<bool> Checker::walk_blocks(Inode& inode, BlockVisitor visitor, void* context, u64 budget) {
    Walk walk {*this, visitor, context, budget ? budget : m_walk_budget};
    const u64 p = geometry().pointers_per_block;
    bool changed = false;
    for (u32 slot = 0; slot < kDirectBlocks; ++slot) {
        if (inode.block[slot] == 0) continue;
        if (++walk.visited > walk.budget) return Error::Overflow;
        const u32 kept = visitor(context, BlockRef {inode.block[slot], 0, slot, 1});
        if (kept != inode.block[slot]) {
            inode.block[slot] = kept;
            changed = true;
        }
    }
    u64 first = kDirectBlocks;
    for (u32 level = 1; level <= 3; ++level) {
        const u32 slot = kIndirectSlot + level - 1;
        if (inode.block[slot] != 0) {
            const u32 kept = TRY(walk_indirect(walk, inode.block[slot], level, first));
            if (kept != inode.block[slot]) {
                inode.block[slot] = kept;
                changed = true;
            }
        }
        first += power(p, level);
    }
    return changed;
}

}  // namespace mote::fsck
