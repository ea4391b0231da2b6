#include "fs/ext2/group_descriptor.hpp"

#include "fs/ext2/le_bytes.hpp"

namespace mote::fs::ext2 {

namespace {

// Field offsets in the 32-byte descriptor (struct ext2_group_desc).
enum : usize {
    kBlockBitmap = 0x00,
    kInodeBitmap = 0x04,
    kInodeTable = 0x08,
    kFreeBlocks = 0x0C,
    kFreeInodes = 0x0E,
    kUsedDirs = 0x10,
    kFlags = 0x12,
};

Error fail(Ext2Fault* out, Ext2Fault fault, Error error = Error::Malformed) {
    if (out) *out = fault;
    return error;
}

// Half-open block ranges [start, start + count).
bool overlaps(u64 a, u64 a_count, u64 b, u64 b_count) { return a < b + b_count && b < a + a_count; }

}  // namespace

Result<GroupDescriptor> decode_group_descriptor(const Geometry& geometry, u32 group, ReadonlyBytes bytes,
                                                Ext2Fault* fault) {
    if (fault) *fault = Ext2Fault::None;
    if (group >= geometry.group_count) return fail(fault, Ext2Fault::BadGroupNumber, Error::OutOfRange);
    if (bytes.size() < kGroupDescriptorSize) return fail(fault, Ext2Fault::DescriptorTruncated);

    GroupDescriptor d;
    d.block_bitmap = load_le32(bytes, kBlockBitmap);
    d.inode_bitmap = load_le32(bytes, kInodeBitmap);
    d.inode_table = load_le32(bytes, kInodeTable);
    d.free_blocks_count = load_le16(bytes, kFreeBlocks);
    d.free_inodes_count = load_le16(bytes, kFreeInodes);
    d.used_dirs_count = load_le16(bytes, kUsedDirs);
    d.flags = load_le16(bytes, kFlags);

    // The group's own blocks, less the superblock / descriptor-table copy at
    // its start: the bitmaps and the table must lie there (u64: no wrap).
    const u64 first = geometry.group_first_block(group);
    const u64 count = geometry.group_block_count(group);
    const u64 meta = geometry.group_metadata_blocks(group);
    auto inside = [&](u64 block, u64 blocks) { return block >= first && block + blocks <= first + count; };
    if (!inside(d.block_bitmap, 1)) return fail(fault, Ext2Fault::BlockBitmapOutOfGroup);
    if (!inside(d.inode_bitmap, 1)) return fail(fault, Ext2Fault::InodeBitmapOutOfGroup);
    if (!inside(d.inode_table, geometry.inode_table_blocks)) return fail(fault, Ext2Fault::InodeTableOutOfGroup);
    if (overlaps(d.block_bitmap, 1, first, meta) || overlaps(d.inode_bitmap, 1, first, meta) ||
        overlaps(d.inode_table, geometry.inode_table_blocks, first, meta) || d.block_bitmap == d.inode_bitmap ||
        overlaps(d.block_bitmap, 1, d.inode_table, geometry.inode_table_blocks) ||
        overlaps(d.inode_bitmap, 1, d.inode_table, geometry.inode_table_blocks))
        return fail(fault, Ext2Fault::GroupMetadataOverlap);

    if (d.free_blocks_count > count) return fail(fault, Ext2Fault::BadGroupFreeBlocks);
    if (d.free_inodes_count > geometry.inodes_per_group) return fail(fault, Ext2Fault::BadGroupFreeInodes);
    if (u32(d.used_dirs_count) + d.free_inodes_count > geometry.inodes_per_group)
        return fail(fault, Ext2Fault::BadUsedDirsCount);
    return d;
}

void encode_group_descriptor(const GroupDescriptor& descriptor, Bytes bytes) {
    VERIFY(bytes.size() >= kGroupDescriptorSize);
    store_le16(bytes, kFreeBlocks, descriptor.free_blocks_count);
    store_le16(bytes, kFreeInodes, descriptor.free_inodes_count);
    store_le16(bytes, kUsedDirs, descriptor.used_dirs_count);
}

}  // namespace mote::fs::ext2
