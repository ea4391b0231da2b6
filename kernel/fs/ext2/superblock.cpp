#include "fs/ext2/superblock.hpp"

#include "base/memory.hpp"
#include "fs/ext2/le_bytes.hpp"

namespace mote::fs::ext2 {

namespace {

// Field offsets in the superblock (Linux's struct ext2_super_block; the
// ext4 documentation's "Super Block" table).
enum : usize {
    kInodesCount = 0x00,
    kBlocksCount = 0x04,
    kReservedBlocksCount = 0x08,
    kFreeBlocksCount = 0x0C,
    kFreeInodesCount = 0x10,
    kFirstDataBlock = 0x14,
    kLogBlockSize = 0x18,
    kLogFragmentSize = 0x1C,
    kBlocksPerGroup = 0x20,
    kFragmentsPerGroup = 0x24,
    kInodesPerGroup = 0x28,
    kMountTime = 0x2C,
    kWriteTime = 0x30,
    kMountCount = 0x34,
    kMaxMountCount = 0x36,
    kMagic = 0x38,
    kState = 0x3A,
    kErrors = 0x3C,
    kMinorRevision = 0x3E,
    kLastCheck = 0x40,
    kCheckInterval = 0x44,
    kCreatorOs = 0x48,
    kRevision = 0x4C,
    kDefaultResUid = 0x50,
    kDefaultResGid = 0x52,
    // Revision 1 only from here.
    kFirstInode = 0x54,
    kInodeSize = 0x58,
    kBlockGroupNumber = 0x5A,
    kFeatureCompat = 0x5C,
    kFeatureIncompat = 0x60,
    kFeatureRoCompat = 0x64,
    kUuid = 0x68,
    kVolumeName = 0x78,
    kLastMounted = 0x88,
    kReservedGdtBlocks = 0xCE,
    kJournalUuid = 0xD0,
    kJournalInode = 0xE0,
    kJournalDevice = 0xE4,
    kLastOrphan = 0xE8,
    kHashSeed = 0xEC,
    kDefaultHashVersion = 0xFC,
    kJournalBackupType = 0xFD,
    kDefaultMountOptions = 0x100,
    kFirstMetaBg = 0x104,
    kMkfsTime = 0x108,
    kFlags = 0x160,
    kBackupGroups = 0x24C,
};

// Names as e2fsprogs (lib/e2p) prints them in "Filesystem features:".
constexpr const char* kCompatNames[32] = {
    "dir_prealloc", "imagic_inodes", "has_journal", "ext_attr", "resize_inode", "dir_index", "lazy_bg",
    "exclude_inode", "snapshot_bitmap", "sparse_super2", "fast_commit", "stable_inodes", "orphan_file",
    "compat_bit_13", "compat_bit_14", "compat_bit_15", "compat_bit_16", "compat_bit_17", "compat_bit_18",
    "compat_bit_19", "compat_bit_20", "compat_bit_21", "compat_bit_22", "compat_bit_23", "compat_bit_24",
    "compat_bit_25", "compat_bit_26", "compat_bit_27", "compat_bit_28", "compat_bit_29", "compat_bit_30",
    "compat_bit_31",
};
constexpr const char* kIncompatNames[32] = {
    "compression", "filetype", "needs_recovery", "journal_dev", "meta_bg", "incompat_bit_5", "extent",
    "64bit", "mmp", "flex_bg", "ea_inode", "incompat_bit_11", "dirdata", "metadata_csum_seed", "large_dir",
    "inline_data", "encrypt", "casefold", "incompat_bit_18", "incompat_bit_19", "incompat_bit_20",
    "incompat_bit_21", "incompat_bit_22", "incompat_bit_23", "incompat_bit_24", "incompat_bit_25",
    "incompat_bit_26", "incompat_bit_27", "incompat_bit_28", "incompat_bit_29", "incompat_bit_30",
    "incompat_bit_31",
};
constexpr const char* kRoCompatNames[32] = {
    "sparse_super", "large_file", "ro_compat_bit_2", "huge_file", "uninit_bg", "dir_nlink", "extra_isize",
    "snapshot", "quota", "bigalloc", "metadata_csum", "replica", "read-only", "project", "shared_blocks",
    "verity", "orphan_present", "ro_compat_bit_17", "ro_compat_bit_18", "ro_compat_bit_19",
    "ro_compat_bit_20", "ro_compat_bit_21", "ro_compat_bit_22", "ro_compat_bit_23", "ro_compat_bit_24",
    "ro_compat_bit_25", "ro_compat_bit_26", "ro_compat_bit_27", "ro_compat_bit_28", "ro_compat_bit_29",
    "ro_compat_bit_30", "ro_compat_bit_31",
};

Error fail(Ext2Fault* out, Ext2Fault fault, Error error = Error::Malformed) {
    if (out) *out = fault;
    return error;
}

u32 lowest_bit(u32 word) { return u32(__builtin_ctz(word)); }

bool is_power_of(u32 value, u32 base) {
    if (value == 0) return false;
    while (value % base == 0) value /= base;
    return value == 1;
}

u32 ceil_div(u64 a, u64 b) { return u32((a + b - 1) / b); }

}  // namespace

const char* feature_name(FeatureWord word, u32 bit) {
    VERIFY(bit < 32);
    switch (word) {
    case FeatureWord::Compat: return kCompatNames[bit];
    case FeatureWord::Incompat: return kIncompatNames[bit];
    case FeatureWord::RoCompat: return kRoCompatNames[bit];
    }
    return "unknown";
}

u32 Geometry::group_first_block(u32 group) const {
    VERIFY(group < group_count);
    return u32(u64(first_data_block) + u64(group) * blocks_per_group);
}

u32 Geometry::group_block_count(u32 group) const {
    const u32 first = group_first_block(group);
    return min(blocks_per_group, blocks_count - first);
}

u32 Geometry::group_of_block(u32 block) const {
    VERIFY(block >= first_data_block && block < blocks_count);
    return (block - first_data_block) / blocks_per_group;
}

bool Geometry::group_has_superblock(u32 group) const {
    VERIFY(group < group_count);
    if (group == 0) return true;
    if (sparse_super2) return group == backup_groups[0] || group == backup_groups[1];
    if (!sparse_super) return true;
    // sparse_super: group 1 and the powers of 3, 5 and 7.
    return group == 1 || is_power_of(group, 3) || is_power_of(group, 5) || is_power_of(group, 7);
}

u32 Geometry::group_metadata_blocks(u32 group) const {
    if (!group_has_superblock(group)) return 0;
    // With 1 KiB blocks the superblock has block first_data_block to itself;
    // with larger blocks it shares block 0 with the boot sector. Either way
    // one block, then the table copy, then the reserved blocks.
    return 1 + descriptor_blocks + reserved_gdt_blocks;
}

DescriptorLocation Geometry::descriptor_location(u32 group) const {
    VERIFY(group < group_count);
    const u64 byte = u64(group) * kGroupDescriptorSize;
    return {u32(descriptor_table_block() + byte / block_size), u32(byte % block_size)};
}

StringView Superblock::volume_label() const {
    usize n = 0;
    while (n < sizeof volume_name && volume_name[n] != 0) ++n;
    return StringView(reinterpret_cast<const char*>(volume_name), n);
}

Result<Superblock> decode_superblock(ReadonlyBytes bytes, Ext2Fault* fault, const char** refused_feature) {
    if (fault) *fault = Ext2Fault::None;
    if (refused_feature) *refused_feature = nullptr;
    if (bytes.size() < kSuperblockSize) return fail(fault, Ext2Fault::SuperblockTruncated);
    bytes = bytes.first(kSuperblockSize);

    if (load_le16(bytes, kMagic) != kSuperblockMagic) return fail(fault, Ext2Fault::BadMagic);
    Superblock sb;
    Geometry& g = sb.geometry;
    sb.revision = load_le32(bytes, kRevision);
    if (sb.revision > kDynamicRevision) return fail(fault, Ext2Fault::UnsupportedRevision, Error::Unsupported);

    // Block size: 1024 << s_log_block_size. A huge shift is corruption as much
    // as an unsupported size; both are refused before any shift happens.
    const u32 log_block = load_le32(bytes, kLogBlockSize);
    if (log_block > 2) return fail(fault, Ext2Fault::UnsupportedBlockSize, Error::Unsupported);
    g.block_size_log2 = 10 + log_block;
    g.block_size = u32(1) << g.block_size_log2;
    g.pointers_per_block = g.block_size / 4;
    // ext2 never implemented fragments (nor this kernel bigalloc clusters):
    // their size and per-group count must equal the block ones.
    if (load_le32(bytes, kLogFragmentSize) != log_block)
        return fail(fault, Ext2Fault::FragmentSizeMismatch, Error::Unsupported);

    g.blocks_count = load_le32(bytes, kBlocksCount);
    g.inodes_count = load_le32(bytes, kInodesCount);
    g.first_data_block = load_le32(bytes, kFirstDataBlock);
    g.blocks_per_group = load_le32(bytes, kBlocksPerGroup);
    g.inodes_per_group = load_le32(bytes, kInodesPerGroup);
    // The superblock sits at byte 1024: block 1 of a 1 KiB-block device,
    // block 0 of a larger-block one, and the first data block is that block.
    if (g.first_data_block != (g.block_size == 1024 ? 1u : 0u)) return fail(fault, Ext2Fault::BadFirstDataBlock);
    if (g.blocks_count <= g.first_data_block + 1) return fail(fault, Ext2Fault::BadBlocksCount);
    // A group's block bitmap is one block: at most 8 x block_size blocks.
    const u32 bits_per_block = 8 * g.block_size;
    if (g.blocks_per_group == 0 || g.blocks_per_group > bits_per_block || g.blocks_per_group % 8 != 0)
        return fail(fault, Ext2Fault::BadBlocksPerGroup);
    if (load_le32(bytes, kFragmentsPerGroup) != g.blocks_per_group)
        return fail(fault, Ext2Fault::FragmentSizeMismatch, Error::Unsupported);

    if (sb.revision == kGoodOldRevision) {
        g.inode_size = kGoodOldInodeSize;
        g.first_inode = kGoodOldFirstInode;
    } else {
        g.inode_size = load_le16(bytes, kInodeSize);
        g.first_inode = load_le32(bytes, kFirstInode);
        sb.block_group_number = load_le16(bytes, kBlockGroupNumber);
    }
    if (g.inode_size < kGoodOldInodeSize || g.inode_size > g.block_size || (g.inode_size & (g.inode_size - 1)) != 0)
        return fail(fault, Ext2Fault::BadInodeSize);
    g.inodes_per_block = g.block_size / g.inode_size;
    if (g.inodes_per_group == 0 || g.inodes_per_group > bits_per_block || g.inodes_per_group < g.inodes_per_block)
        return fail(fault, Ext2Fault::BadInodesPerGroup);
    g.inode_table_blocks = ceil_div(g.inodes_per_group, g.inodes_per_block);

    g.group_count = ceil_div(u64(g.blocks_count) - g.first_data_block, g.blocks_per_group);
    if (u64(g.group_count) * g.inodes_per_group != g.inodes_count) return fail(fault, Ext2Fault::InodesCountMismatch);
    if (g.first_inode < kGoodOldFirstInode || g.first_inode > g.inodes_count)
        return fail(fault, Ext2Fault::BadFirstInode);

    sb.reserved_blocks_count = load_le32(bytes, kReservedBlocksCount);
    sb.free_blocks_count = load_le32(bytes, kFreeBlocksCount);
    sb.free_inodes_count = load_le32(bytes, kFreeInodesCount);
    if (sb.reserved_blocks_count > g.blocks_count || sb.free_blocks_count > g.blocks_count ||
        sb.free_inodes_count > g.inodes_count)
        return fail(fault, Ext2Fault::BadFreeCounts);

    // Features. Revision 0 has no feature words; Linux still reads them (and
    // warns if set), so they go through the same policy.
    sb.feature_compat = load_le32(bytes, kFeatureCompat);
    sb.feature_incompat = load_le32(bytes, kFeatureIncompat);
    sb.feature_ro_compat = load_le32(bytes, kFeatureRoCompat);
    if (const u32 refused = sb.feature_incompat & ~kIncompatSupported) {
        if (refused_feature) *refused_feature = kIncompatNames[lowest_bit(refused)];
        return fail(fault, Ext2Fault::UnsupportedIncompatFeature, Error::Unsupported);
    }
    sb.needs_recovery = sb.feature_incompat & kIncompatRecover;
    if (const u32 unknown = sb.feature_ro_compat & ~kRoCompatSupported) {
        sb.read_only = true;
        sb.read_only_feature = kRoCompatNames[lowest_bit(unknown)];
    }
    g.filetype = sb.feature_incompat & kIncompatFiletype;
    g.large_file = sb.feature_ro_compat & kRoCompatLargeFile;
    g.huge_file = sb.feature_ro_compat & kRoCompatHugeFile;
    g.sparse_super = sb.feature_ro_compat & kRoCompatSparseSuper;
    g.sparse_super2 = sb.feature_compat & kCompatSparseSuper2;
    if (g.sparse_super2) {
        // Group numbers beyond the last group mean "no backup" (mke2fs
        // writes 0 for none); group 0 is the primary anyway.
        for (usize i = 0; i < 2; ++i) {
            const u32 group = load_le32(bytes, kBackupGroups + 4 * i);
            g.backup_groups[i] = group < g.group_count ? group : 0;
        }
    }

    // The descriptor table and the blocks reserved for its growth follow the
    // superblock in group 0 (and in each backup group); a resize inode maps
    // the reserved blocks through one indirect block, so at most
    // pointers_per_block of them.
    g.descriptor_blocks = ceil_div(u64(g.group_count) * kGroupDescriptorSize, g.block_size);
    g.reserved_gdt_blocks = sb.revision == kGoodOldRevision ? 0 : load_le16(bytes, kReservedGdtBlocks);
    if (g.reserved_gdt_blocks > g.pointers_per_block) return fail(fault, Ext2Fault::BadReservedGdtBlocks);
    if (u64(1) + g.descriptor_blocks + g.reserved_gdt_blocks > g.group_block_count(0))
        return fail(fault, Ext2Fault::DescriptorTableTooLarge);

    sb.mount_time = load_le32(bytes, kMountTime);
    sb.write_time = load_le32(bytes, kWriteTime);
    sb.mount_count = load_le16(bytes, kMountCount);
    sb.max_mount_count = i16(load_le16(bytes, kMaxMountCount));
    sb.state = load_le16(bytes, kState);
    sb.errors = load_le16(bytes, kErrors);
    sb.minor_revision = load_le16(bytes, kMinorRevision);
    sb.last_check_time = load_le32(bytes, kLastCheck);
    sb.check_interval = load_le32(bytes, kCheckInterval);
    sb.creator_os = load_le32(bytes, kCreatorOs);
    sb.default_reserved_uid = load_le16(bytes, kDefaultResUid);
    sb.default_reserved_gid = load_le16(bytes, kDefaultResGid);
    if (sb.revision == kDynamicRevision) {
        mem_copy(sb.uuid, bytes.data() + kUuid, sizeof sb.uuid);
        mem_copy(sb.volume_name, bytes.data() + kVolumeName, sizeof sb.volume_name);
        mem_copy(sb.last_mounted, bytes.data() + kLastMounted, sizeof sb.last_mounted);
        mem_copy(sb.journal_uuid, bytes.data() + kJournalUuid, sizeof sb.journal_uuid);
        sb.journal_inode = load_le32(bytes, kJournalInode);
        sb.journal_device = load_le32(bytes, kJournalDevice);
        sb.last_orphan = load_le32(bytes, kLastOrphan);
        for (usize i = 0; i < 4; ++i) sb.hash_seed[i] = load_le32(bytes, kHashSeed + 4 * i);
        sb.default_hash_version = load_u8(bytes, kDefaultHashVersion);
        sb.journal_backup_type = load_u8(bytes, kJournalBackupType);
        sb.default_mount_options = load_le32(bytes, kDefaultMountOptions);
        sb.first_meta_bg = load_le32(bytes, kFirstMetaBg);
        sb.mkfs_time = load_le32(bytes, kMkfsTime);
        sb.flags = load_le32(bytes, kFlags);
    }
    // An internal journal is a file: its inode must exist. (0 with an
    // external journal device.)
    if (sb.has_journal() && sb.journal_inode > g.inodes_count) return fail(fault, Ext2Fault::BadJournalInode);
    return sb;
}

void encode_superblock(const Superblock& sb, Bytes bytes) {
    VERIFY(bytes.size() >= kSuperblockSize);
    store_le32(bytes, kFreeBlocksCount, sb.free_blocks_count);
    store_le32(bytes, kFreeInodesCount, sb.free_inodes_count);
    store_le32(bytes, kMountTime, sb.mount_time);
    store_le32(bytes, kWriteTime, sb.write_time);
    store_le16(bytes, kMountCount, sb.mount_count);
    store_le16(bytes, kMaxMountCount, u16(sb.max_mount_count));
    store_le16(bytes, kState, sb.state);
    store_le16(bytes, kErrors, sb.errors);
    store_le32(bytes, kLastCheck, sb.last_check_time);
    if (sb.revision == kDynamicRevision) {
        store_le32(bytes, kFeatureCompat, sb.feature_compat);
        store_le32(bytes, kFeatureIncompat, sb.feature_incompat);
        store_le32(bytes, kFeatureRoCompat, sb.feature_ro_compat);
        store_le32(bytes, kLastOrphan, sb.last_orphan);
    }
}

}  // namespace mote::fs::ext2
