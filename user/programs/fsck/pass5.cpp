// Pass 5: group summaries. Each group's block and inode bitmaps must say
// exactly what passes 1-4 found in use (reserved inodes always are), and
// the descriptors' and the superblock's free counts and directory counts
// must follow from them.
#include "checker_state.hpp"

namespace mote::fsck {

Result<void> Checker::pass5() {
    const Geometry& g = geometry();
    Bytes bitmap(m_work, g.block_size);
    u64 free_blocks = 0;
    u64 free_inodes = 0;
    for (u32 group = 0; group < g.group_count; ++group) {
        GroupState& state = m_groups[group];
        GroupDescriptor& d = state.descriptor;

        // Blocks. Bits past the group's end (the last group's padding) are
        // left as they are.
        const u32 first = g.group_first_block(group);
        const u32 blocks = g.group_block_count(group);
        TRY(read_block(d.block_bitmap, bitmap));
        u32 used = 0, unmarked = 0, overmarked = 0;
        for (u32 i = 0; i < blocks; ++i) {
            const bool want = m_block_used.get(block_bit(first + i));
            const bool have = test_bit(bitmap, i);
            used += want;
            if (want == have) continue;
            if (want) {
                ++unmarked;
                set_bit(bitmap, i);
            } else {
                ++overmarked;
                clear_bit(bitmap, i);
            }
        }
        if (unmarked || overmarked) {
            report(Problem::BlockBitmap, m_fix, "group {}: block bitmap: {} used blocks marked free, {} free marked used",
                   group, unmarked, overmarked);
            if (m_fix) TRY(write_block(d.block_bitmap, bitmap));
        }
        const u32 group_free_blocks = blocks - used;

        // Inodes.
        TRY(read_block(d.inode_bitmap, bitmap));
        u32 inodes_used = 0, directories = 0;
        unmarked = overmarked = 0;
        for (u32 i = 0; i < g.inodes_per_group; ++i) {
            const u32 number = group * g.inodes_per_group + i + 1;
            const bool want = number < g.first_inode || in_use(number);
            const bool have = test_bit(bitmap, i);
            inodes_used += want;
            directories += type_of(number) == FileType::Directory;
            if (want == have) continue;
            if (want) {
                ++unmarked;
                set_bit(bitmap, i);
            } else {
                ++overmarked;
                clear_bit(bitmap, i);
            }
        }
        if (unmarked || overmarked) {
            report(Problem::InodeBitmap, m_fix, "group {}: inode bitmap: {} used inodes marked free, {} free marked used",
                   group, unmarked, overmarked);
            if (m_fix) TRY(write_block(d.inode_bitmap, bitmap));
        }
        const u32 group_free_inodes = g.inodes_per_group - inodes_used;

        if (state.counts_bad || d.free_blocks_count != group_free_blocks || d.free_inodes_count != group_free_inodes ||
            d.used_dirs_count != directories) {
            report(Problem::GroupCounts, m_fix,
                   "group {}: free blocks {} -> {}, free inodes {} -> {}, directories {} -> {}", group,
                   d.free_blocks_count, group_free_blocks, d.free_inodes_count, group_free_inodes, d.used_dirs_count,
                   directories);
            d.free_blocks_count = u16(group_free_blocks);
            d.free_inodes_count = u16(group_free_inodes);
            d.used_dirs_count = u16(directories);
            state.counts_bad = false;
            if (m_fix) TRY(write_descriptor(group));
        }
        free_blocks += group_free_blocks;
        free_inodes += group_free_inodes;
    }

    if (m_sb.free_blocks_count != free_blocks || m_sb.free_inodes_count != free_inodes) {
        report(Problem::SuperblockCounts, m_fix, "superblock: free blocks {} -> {}, free inodes {} -> {}",
               m_sb.free_blocks_count, free_blocks, m_sb.free_inodes_count, free_inodes);
        m_sb.free_blocks_count = u32(free_blocks);
        m_sb.free_inodes_count = u32(free_inodes);
        if (m_fix) TRY(write_superblock());
    }
    m_summary.inodes_used = u32(g.inodes_count - free_inodes);
    m_summary.blocks_used = u32(g.blocks_count - free_blocks);
    return {};
}

}  // namespace mote::fsck
