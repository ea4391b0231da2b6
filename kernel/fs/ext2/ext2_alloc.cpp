// Block and inode allocation: the bitmaps, the group descriptors' and the
// superblock's free counts, always changed together in one change.
#include "base/memory.hpp"
#include "fs/ext2/bitmap_search.hpp"
#include "fs/ext2/ext2_fs.hpp"

namespace mote::fs::ext2 {

namespace {

// Whether `block` is one of group `group`'s own metadata blocks (bitmaps,
// inode table). A bitmap that calls one free is corrupt: allocating it
// would overwrite metadata.
bool is_group_metadata(const Geometry& g, const GroupDescriptor& d, u32 block) {
    if (block == d.block_bitmap || block == d.inode_bitmap) return true;
    if (block >= d.inode_table && block < d.inode_table + g.inode_table_blocks) return true;
    return false;
}

}  // namespace

Task<void> Ext2Fs::write_group(u32 group) {
    const DescriptorLocation at = m_sb.geometry.descriptor_location(group);
    BufferRef block = CO_TRY(co_await m_cache.read(at.block));
    CO_TRY(co_await modify(block));
    encode_group_descriptor(m_groups[group], Bytes(block.data() + at.offset, kGroupDescriptorSize));
    dirty(block);
    co_return Result<void> {};
}

Task<void> Ext2Fs::group_changed(u32 group) {
    for (u32 i = 0; i < m_pending_count; ++i)
        if (m_pending_groups[i] == group) return Result<void> {};
    if (m_pending_count < kPendingGroups) {
        m_pending_groups[m_pending_count++] = group;
        return Result<void> {};
    }
    return write_group(group);
}

Task<void> Ext2Fs::write_pending() {
    while (m_pending_count) {
        CO_TRY(co_await write_group(m_pending_groups[m_pending_count - 1]));
        --m_pending_count;
    }
    if (m_sb_dirty) CO_TRY(co_await write_superblock());
    co_return Result<void> {};
}

Task<u32> Ext2Fs::allocate_block(u32 goal) {
    const Geometry& g = m_sb.geometry;
    if (m_sb.free_blocks_count == 0) co_return Error::NoSpace;
    u32 start = g.is_data_block(goal) ? g.group_of_block(goal) : m_last_block_group;
    for (u32 step = 0; step < g.group_count; ++step) {
        const u32 group = (start + step) % g.group_count;
        GroupDescriptor& d = m_groups[group];
        if (d.free_blocks_count == 0) continue;
        BufferRef bitmap = CO_TRY(co_await m_cache.read(d.block_bitmap));
        const u32 first = g.group_first_block(group);
        const u32 count = g.group_block_count(group);
        const u32 goal_bit = (step == 0 && goal >= first && goal - first < count) ? goal - first : 0;
        Ext2Fault fault = Ext2Fault::None;
        auto bit = find_clear_bit(ReadonlyBytes(bitmap.data(), g.block_size), count, goal_bit, &fault);
        if (bit.is_error()) {
            // The descriptor said there was room: the counts disagree with
            // the bitmap. Trust the bitmap, skip the group.
            if (fault != Ext2Fault::BitmapFull) co_return corrupt(fault, 0, "block bitmap");
            continue;
        }
        const u32 block = first + bit.value();
        if (!g.is_data_block(block) || is_group_metadata(g, d, block))
            co_return corrupt(Ext2Fault::BlockPointerOutOfRange, 0, "block bitmap (metadata marked free)");
        CO_TRY(co_await modify(bitmap));
        set_bit(Bytes(bitmap.data(), g.block_size), bit.value());
        dirty(bitmap);
        --d.free_blocks_count;
        --m_sb.free_blocks_count;
        m_sb_dirty = true;
        CO_TRY(co_await group_changed(group));
        m_last_block_group = group;
        ++m_counters.blocks_allocated;
        co_return block;
    }
    co_return Error::NoSpace;
}

Task<void> Ext2Fs::free_block(u32 block, bool metadata) {
    const Geometry& g = m_sb.geometry;
    if (!g.is_data_block(block)) co_return corrupt(Ext2Fault::BlockPointerOutOfRange, 0, "freed block");
    const u32 group = g.group_of_block(block);
    GroupDescriptor& d = m_groups[group];
    if (is_group_metadata(g, d, block)) co_return corrupt(Ext2Fault::BlockPointerOutOfRange, 0, "freed block");
    BufferRef bitmap = CO_TRY(co_await m_cache.read(d.block_bitmap));
    const u32 bit = block - g.group_first_block(group);
    if (!test_bit(ReadonlyBytes(bitmap.data(), g.block_size), bit)) {
        // Already free: two files claimed the block. Do not count it twice.
        co_return corrupt(Ext2Fault::BlockPointerOutOfRange, 0, "block freed twice");
    }
    CO_TRY(co_await modify(bitmap));
    clear_bit(Bytes(bitmap.data(), g.block_size), bit);
    dirty(bitmap);
    ++d.free_blocks_count;
    ++m_sb.free_blocks_count;
    m_sb_dirty = true;
    CO_TRY(co_await group_changed(group));
    if (metadata) forget_metadata(block);
    ++m_counters.blocks_freed;
    co_return Result<void> {};
}

bool Ext2Fs::node_cached(u32 number) {
    for (Ext2Node& node : m_buckets[number % kNodeBuckets])
        if (node.m_number == number && !node.m_freed) return true;
    return false;
}

Task<bool> Ext2Fs::inode_in_use(u32 number) {
    const Geometry& g = m_sb.geometry;
    Ext2Fault fault = Ext2Fault::None;
    const InodeLocation at = CO_TRY(locate_inode(g, number, &fault));
    BufferRef table = CO_TRY(co_await m_cache.read(m_groups[at.group].inode_table + at.table_block));
    const Inode inode = load_inode(g, ReadonlyBytes(table.data() + at.offset, g.inode_size));
    co_return inode.links_count != 0 && inode.type != FileType::Unknown && inode.dtime == 0;
}

Task<u32> Ext2Fs::allocate_inode(u32 parent_group, bool directory) {
    const Geometry& g = m_sb.geometry;
    if (m_sb.free_inodes_count == 0) co_return Error::NoSpace;
    // Directories spread out (the group with the most free inodes among
    // those with free blocks); files stay near their directory.
    u32 start = parent_group % g.group_count;
    if (directory) {
        u32 best = start;
        for (u32 group = 0; group < g.group_count; ++group)
            if (m_groups[group].free_inodes_count > m_groups[best].free_inodes_count &&
                m_groups[group].free_blocks_count > 0)
                best = group;
        start = best;
    }
    for (u32 step = 0; step < g.group_count; ++step) {
        const u32 group = (start + step) % g.group_count;
        GroupDescriptor& d = m_groups[group];
        if (d.free_inodes_count == 0) continue;
        BufferRef bitmap = CO_TRY(co_await m_cache.read(d.inode_bitmap));
        Ext2Fault fault = Ext2Fault::None;
        auto bit = find_clear_bit(ReadonlyBytes(bitmap.data(), g.block_size), g.inodes_per_group, 0, &fault);
        if (bit.is_error()) {
            if (fault != Ext2Fault::BitmapFull) co_return corrupt(fault, 0, "inode bitmap");
            continue;
        }
        const u32 number = group * g.inodes_per_group + bit.value() + 1;
        if (number < g.first_inode) co_return corrupt(Ext2Fault::BadInodeNumber, number, "inode bitmap (reserved inode free)");
        // A bitmap that lies must not hand out an inode that is in use:
        // one this driver holds, or one with links and a type on disk.
        if (node_cached(number)) co_return corrupt(Ext2Fault::FreeInodeInUse, number, "inode bitmap");
        if (CO_TRY(co_await inode_in_use(number))) co_return corrupt(Ext2Fault::FreeInodeInUse, number, "inode bitmap");
        CO_TRY(co_await modify(bitmap));
        set_bit(Bytes(bitmap.data(), g.block_size), bit.value());
        dirty(bitmap);
        --d.free_inodes_count;
        if (directory) ++d.used_dirs_count;
        --m_sb.free_inodes_count;
        m_sb_dirty = true;
        CO_TRY(co_await group_changed(group));
        ++m_counters.inodes_allocated;
        co_return number;
    }
    co_return Error::NoSpace;
}

Task<void> Ext2Fs::free_inode(u32 number, bool directory) {
    const Geometry& g = m_sb.geometry;
    Ext2Fault fault = Ext2Fault::None;
    auto where = locate_inode(g, number, &fault);
    if (where.is_error()) co_return corrupt(fault, number, "freed inode");
    const u32 group = where.value().group;
    GroupDescriptor& d = m_groups[group];
    BufferRef bitmap = CO_TRY(co_await m_cache.read(d.inode_bitmap));
    const u32 bit = where.value().index;
    if (!test_bit(ReadonlyBytes(bitmap.data(), g.block_size), bit))
        co_return corrupt(Ext2Fault::InodeNotInUse, number, "inode freed twice");
    CO_TRY(co_await modify(bitmap));
    clear_bit(Bytes(bitmap.data(), g.block_size), bit);
    dirty(bitmap);
    ++d.free_inodes_count;
    if (directory && d.used_dirs_count) --d.used_dirs_count;
    ++m_sb.free_inodes_count;
    m_sb_dirty = true;
    CO_TRY(co_await group_changed(group));
    ++m_counters.inodes_freed;
    co_return Result<void> {};
}

}  // namespace mote::fs::ext2
