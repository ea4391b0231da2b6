// One ext2 block group descriptor: where a group's bitmaps and inode table
// are and how many of its blocks and inodes are free.
//
// The descriptor table starts in the block after the superblock's
// (Geometry::descriptor_table_block()) and holds group_count 32-byte entries
// (Geometry::descriptor_location(g) finds one). Without flex_bg (refused by
// decode_superblock) each group's bitmaps and inode table lie inside the
// group, after its superblock/descriptor-table copy; decode checks exactly
// that, so a caller may read the bitmap and inode-table blocks it names.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/ext2/ext2_fault.hpp"
#include "fs/ext2/superblock.hpp"

namespace mote::fs::ext2 {

struct GroupDescriptor {
    u32 block_bitmap = 0;       // absolute block number
    u32 inode_bitmap = 0;       // absolute block number
    u32 inode_table = 0;        // first of Geometry::inode_table_blocks blocks
    u16 free_blocks_count = 0;  // <= the group's block count
    u16 free_inodes_count = 0;  // <= inodes_per_group
    u16 used_dirs_count = 0;    // directories among the group's used inodes
    u16 flags = 0;              // bg_flags (INODE_UNINIT ...): meaningful only with uninit_bg, which is read-only
};

// Decodes and checks the descriptor of group `group` from its 32 bytes
// (VERIFY-free: a short span is DescriptorTruncated, a group beyond the
// count BadGroupNumber with Error::OutOfRange).
Result<GroupDescriptor> decode_group_descriptor(const Geometry& geometry, u32 group, ReadonlyBytes bytes,
                                                Ext2Fault* fault = nullptr);

// Writes the mutable fields (free blocks, free inodes, used directories)
// into the descriptor's 32 bytes (VERIFYs the size); the locations, flags
// and the checksum/unused-count tail are kept as they were.
void encode_group_descriptor(const GroupDescriptor& descriptor, Bytes bytes);

}  // namespace mote::fs::ext2
