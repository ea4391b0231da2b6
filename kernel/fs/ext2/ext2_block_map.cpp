// A file's block map: finding, filling and freeing the blocks behind file
// block numbers, through up to three levels of indirect blocks.
#include "fs/ext2/block_map.hpp"

#include "base/memory.hpp"
#include "fs/ext2/ext2_fs.hpp"
#include "fs/ext2/le_bytes.hpp"
#include "fs/jbd2/journal.hpp"

namespace mote::fs::ext2 {

namespace {

u32 goal_for(const Geometry& g, const Ext2Node& node) {
    if (node.inode().block[0] && g.is_data_block(node.inode().block[0])) return node.inode().block[0];
    // The first data block of the inode's own group.
    const u32 group = (node.number() - 1) / g.inodes_per_group;
    return g.group_first_block(group) + g.group_metadata_blocks(group);
}

}  // namespace

Task<u32> Ext2Fs::map_block(Ext2Node& node, u64 logical, bool allocate, bool* fresh) {
    // A mapped block whose path is cached: no walk, nothing to allocate.
    // (An append past the end is a hole: straight to the walk.)
    const u64 block_size = m_sb.geometry.block_size;
    const bool past_end = allocate && logical >= (node.m_inode.size + block_size - 1) / block_size;
    u32 physical = 0;
    if (!past_end && map_cached(node, logical, 1, physical) == 1) {
        if (fresh) *fresh = false;
        return Task<u32>(physical);
    }
    return walk_map(node, logical, allocate, fresh);
}

Task<u32> Ext2Fs::walk_map(Ext2Node& node, u64 logical, bool allocate, bool* fresh) {
    const Geometry& g = m_sb.geometry;
    if (fresh) *fresh = false;
    if (allocate) node.forget_runs();  // the map may change
    Ext2Fault fault = Ext2Fault::None;
    auto found = block_path(g.block_size, logical, &fault);
    if (found.is_error()) co_return allocate ? Error::Overflow : Error::OutOfRange;
    const BlockPath path = found.value();
    Inode& inode = node.m_inode;
    const u32 block_sectors = g.block_size / 512;
    u32 goal = node.m_alloc_goal ? node.m_alloc_goal : goal_for(g, node);

    // Fills a hole: a zeroed block, counted in the inode's sectors.
    auto fill = [&](bool metadata) -> Task<u32> {
        u32 block = CO_TRY(co_await allocate_block(goal));
        BufferRef buffer = CO_TRY(co_await m_cache.get_zeroed(block));
        if (metadata) {
            CO_TRY(co_await modify(buffer));
            mem_set(buffer.data(), 0, g.block_size);
            dirty(buffer);
        }
        inode.sectors += block_sectors;
        goal = block + 1;
        node.m_alloc_goal = goal;
        co_return block;
    };

    u32 pointer = inode.block[path.slot];
    if (pointer != 0 && !g.is_data_block(pointer)) co_return corrupt(Ext2Fault::BlockPointerOutOfRange, node.m_number, "block map");
    if (pointer == 0) {
        if (!allocate) co_return 0u;
        pointer = CO_TRY(co_await fill(path.depth > 0));
        inode.block[path.slot] = pointer;
        if (path.depth == 0 && fresh) *fresh = true;
    }
    for (u32 level = 0; level < path.depth; ++level) {
        BufferRef indirect = CO_TRY(co_await m_cache.read(pointer));
        const usize at = path.index[level] * 4;
        u32 next = load_le32(ReadonlyBytes(indirect.data(), g.block_size), at);
        if (next != 0 && !g.is_data_block(next))
            co_return corrupt(Ext2Fault::BlockPointerOutOfRange, node.m_number, "indirect block");
        if (next == 0) {
            if (!allocate) co_return 0u;
            const bool last = level + 1 == path.depth;
            next = CO_TRY(co_await fill(!last));
            CO_TRY(co_await modify(indirect));
            store_le32(Bytes(indirect.data(), g.block_size), at, next);
            dirty(indirect);
            if (last && fresh) *fresh = true;
        }
        pointer = next;
    }
    co_return pointer;
}

// A sequential reader maps hundreds of blocks per read-ahead window; the
// pointers of one indirect block are read here in a loop instead of one
// coroutine call per block.
u32 Ext2Fs::map_cached(const Ext2Node& node, u64 logical, u32 count, u32& physical) {
    const Geometry& g = m_sb.geometry;
    auto found = block_path(g.block_size, logical);
    if (found.is_error() || count == 0) return 0;
    const BlockPath path = found.value();
    const Inode& inode = node.m_inode;
    // The pointers that hold `logical` and its successors at the last
    // level: the inode's direct slots, or one indirect block's entries.
    const u8* table = nullptr;
    u32 at = path.slot;
    u32 entries = kDirectBlocks;
    BufferRef leaf;
    if (path.depth > 0) {
        u32 pointer = inode.block[path.slot];
        for (u32 level = 0; level < path.depth; ++level) {
            if (!g.is_data_block(pointer)) return 0;
            leaf = m_cache.peek(pointer);
            if (!leaf) return 0;
            if (level + 1 < path.depth) pointer = load_le32(ReadonlyBytes(leaf.data(), g.block_size), path.index[level] * 4);
        }
        table = leaf.data();
        at = path.index[path.depth - 1];
        entries = g.pointers_per_block;
    }
    auto pointer_at = [&](u32 i) -> u32 {
        // The inode's slots are host-order u32s; indirect blocks are
        // little-endian on disk.
        if (path.depth == 0) return inode.block[i];
        return load_le32(ReadonlyBytes(table, g.block_size), usize(i) * 4);
    };
    const u32 first = pointer_at(at);
    if (!g.is_data_block(first)) return 0;
    u32 n = 1;
    while (n < count && at + n < entries && pointer_at(at + n) == first + n && g.is_data_block(first + n)) ++n;
    physical = first;
    return n;
}

// Frees the blocks below indirect block `block` (at `depth` levels above
// the data, covering file blocks from `span_first`) whose file block is
// `first_freed` or later; *emptied if no pointer is left in it. The node's
// sector count follows each block freed, so a commit part-way (ensure_room)
// leaves a consistent inode.
Task<void> Ext2Fs::free_tree(Ext2Node& node, u32 block, u32 depth, u64 span_first, u64 first_freed, bool* emptied) {
    const Geometry& g = m_sb.geometry;
    *emptied = false;
    if (!g.is_data_block(block)) co_return corrupt(Ext2Fault::BlockPointerOutOfRange, node.m_number, "indirect block");
    const u64 per = g.pointers_per_block;
    const u32 block_sectors = g.block_size / 512;
    // Directory and symlink blocks are journaled metadata: freeing one
    // revokes it, so no replay writes an old copy over its next owner.
    const bool data_is_metadata = node.m_inode.type != FileType::Regular;
    u64 child_span = 1;
    for (u32 i = 1; i < depth; ++i) child_span *= per;
    BufferRef indirect = CO_TRY(co_await m_cache.read(block));
    bool changed = false;
    bool any_left = false;
    for (u64 j = 0; j < per; ++j) {
        const u64 first = span_first + j * child_span;
        u32 child = load_le32(ReadonlyBytes(indirect.data(), g.block_size), usize(j * 4));
        if (child == 0) continue;
        if (first + child_span <= first_freed) {
            any_left = true;
            continue;
        }
        bool child_empty = true;
        if (depth > 1) CO_TRY(co_await free_tree(node, child, depth - 1, first, first_freed, &child_empty));
        if (!child_empty) {
            any_left = true;
            continue;
        }
        if (m_journal && !m_journal->has_room(8)) {
            if (changed) dirty(indirect);
            CO_TRY(co_await ensure_room(node, 8));
            changed = false;  // the next change joins the next transaction
        }
        CO_TRY(co_await free_block(child, depth > 1 || data_is_metadata));
        if (!changed) {
            CO_TRY(co_await modify(indirect));
            changed = true;
        }
        store_le32(Bytes(indirect.data(), g.block_size), usize(j * 4), 0);
        node.m_inode.sectors = node.m_inode.sectors >= block_sectors ? node.m_inode.sectors - block_sectors : 0;
    }
    if (changed) dirty(indirect);
    *emptied = !any_left;
    co_return Result<void> {};
}

Task<void> Ext2Fs::free_blocks_from(Ext2Node& node, u64 first_freed) {
    node.forget_runs();
    const Geometry& g = m_sb.geometry;
    Inode& inode = node.m_inode;
    const u32 block_sectors = g.block_size / 512;
    const bool data_is_metadata = inode.type != FileType::Regular;
    auto uncount = [&] { inode.sectors = inode.sectors >= block_sectors ? inode.sectors - block_sectors : 0; };
    for (u32 slot = 0; slot < kDirectBlocks; ++slot) {
        if (slot < first_freed || inode.block[slot] == 0) continue;
        CO_TRY(co_await ensure_room(node, 8));
        CO_TRY(co_await free_block(inode.block[slot], data_is_metadata));
        inode.block[slot] = 0;
        uncount();
    }
    const u64 per = g.pointers_per_block;
    u64 span_first = kDirectBlocks;
    u64 span = per;
    for (u32 depth = 1; depth <= 3; ++depth) {
        const u32 slot = kDirectBlocks + depth - 1;
        if (inode.block[slot] != 0 && span_first + span > first_freed) {
            bool emptied = false;
            CO_TRY(co_await free_tree(node, inode.block[slot], depth, span_first, first_freed, &emptied));
            if (emptied) {
                CO_TRY(co_await ensure_room(node, 8));
                CO_TRY(co_await free_block(inode.block[slot], true));
                inode.block[slot] = 0;
                uncount();
            }
        }
        span_first += span;
        span *= per;
    }
    node.m_alloc_goal = 0;
    co_return Result<void> {};
}

}  // namespace mote::fs::ext2
