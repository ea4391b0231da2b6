// The ext2 superblock: the 1024 bytes at byte 1024 of the device that say
// how the filesystem is laid out and which features it uses.
//
// decode_superblock() checks every field the rest of the format layer relies
// on and derives the Geometry (block size, groups, inode table size, where
// the descriptor table and its backups are), so later decoders take a
// Geometry and never re-derive layout from raw fields:
//
//     Ext2Fault fault;
//     const char* feature = nullptr;
//     auto sb = decode_superblock(bytes.slice(1024, 1024), &fault, &feature);
//     if (sb.is_error()) log_warn("ext2: ", ext2_fault_name(fault), feature ? feature : "");
//     if (sb.value().read_only) ... mount read-only because of sb.value().read_only_feature
//
// Feature policy (revision 1 as Debian's mke2fs -t ext2 / -t ext3 make it):
//   incompat   filetype and recover (the journal needs replaying: reported as
//              needs_recovery) are accepted; every other bit, known or not,
//              is refused: Error::Unsupported, UnsupportedIncompatFeature and
//              the feature's name.
//   ro_compat  sparse_super and large_file are understood; any other bit
//              (huge_file, gdt_csum, dir_nlink, extra_isize, metadata_csum,
//              unknown ...) sets read_only and names the first such feature:
//              the data can be read, but writing would break what it promises.
//   compat     everything is accepted (has_journal, dir_index, ext_attr,
//              resize_inode, ... and unknown bits): compat features are by
//              definition safe to ignore; they are recorded.
//
// encode_superblock() writes the fields a mounted filesystem changes (free
// counts, state, times, mount counts, feature words) into a copy of the
// on-disk bytes and leaves every other byte as it was.
//
// Not handled here: 64bit, meta_bg and flex_bg layouts (refused), block
// sizes above 4 KiB (refused), bigalloc (needs extents, which are refused).
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/ext2/ext2_fault.hpp"

namespace mote::fs::ext2 {

inline constexpr usize kSuperblockOffset = 1024;  // byte offset on the device, whatever the block size
inline constexpr usize kSuperblockSize = 1024;
inline constexpr u16 kSuperblockMagic = 0xEF53;
inline constexpr u32 kMinBlockSize = 1024;
inline constexpr u32 kMaxBlockSize = 4096;
inline constexpr u32 kGoodOldRevision = 0;  // fixed 128-byte inodes, first inode 11, no features
inline constexpr u32 kDynamicRevision = 1;
inline constexpr u32 kGoodOldInodeSize = 128;
inline constexpr u32 kGoodOldFirstInode = 11;
inline constexpr u32 kGroupDescriptorSize = 32;  // without the 64bit feature

// s_feature_compat
inline constexpr u32 kCompatDirPrealloc = 0x0001;
inline constexpr u32 kCompatImagicInodes = 0x0002;
inline constexpr u32 kCompatHasJournal = 0x0004;
inline constexpr u32 kCompatExtAttr = 0x0008;
inline constexpr u32 kCompatResizeInode = 0x0010;
inline constexpr u32 kCompatDirIndex = 0x0020;
inline constexpr u32 kCompatSparseSuper2 = 0x0200;
// s_feature_incompat
inline constexpr u32 kIncompatCompression = 0x0001;
inline constexpr u32 kIncompatFiletype = 0x0002;
inline constexpr u32 kIncompatRecover = 0x0004;
inline constexpr u32 kIncompatJournalDev = 0x0008;
inline constexpr u32 kIncompatMetaBg = 0x0010;
inline constexpr u32 kIncompatExtents = 0x0040;
inline constexpr u32 kIncompat64Bit = 0x0080;
inline constexpr u32 kIncompatFlexBg = 0x0200;
inline constexpr u32 kIncompatInlineData = 0x8000;
inline constexpr u32 kIncompatEncrypt = 0x10000;
// The incompat bits this layer reads and writes.
inline constexpr u32 kIncompatSupported = kIncompatFiletype | kIncompatRecover;
// s_feature_ro_compat
inline constexpr u32 kRoCompatSparseSuper = 0x0001;
inline constexpr u32 kRoCompatLargeFile = 0x0002;
inline constexpr u32 kRoCompatHugeFile = 0x0008;
inline constexpr u32 kRoCompatGdtCsum = 0x0010;
inline constexpr u32 kRoCompatDirNlink = 0x0020;
inline constexpr u32 kRoCompatExtraIsize = 0x0040;
inline constexpr u32 kRoCompatMetadataCsum = 0x0400;
// The ro_compat bits this layer can write under.
inline constexpr u32 kRoCompatSupported = kRoCompatSparseSuper | kRoCompatLargeFile;

// s_state bits.
inline constexpr u16 kStateValid = 0x0001;    // cleanly unmounted (clear while mounted read-write)
inline constexpr u16 kStateErrors = 0x0002;   // errors were detected
inline constexpr u16 kStateOrphans = 0x0004;  // orphans being recovered (ext3)

// s_def_hash_version (the dir_index hash) and s_flags.
inline constexpr u8 kHashLegacy = 0;
inline constexpr u8 kHashHalfMd4 = 1;
inline constexpr u8 kHashTea = 2;
inline constexpr u32 kFlagSignedHash = 0x0001;
inline constexpr u32 kFlagUnsignedHash = 0x0002;

enum class FeatureWord : u8 { Compat, Incompat, RoCompat };

// The e2fsprogs name of a feature bit ("filetype", "sparse_super"), or
// "compat_bit_N" / "incompat_bit_N" / "ro_compat_bit_N" for a bit without
// one. `bit` is the bit's index, 0..31. Static strings.
const char* feature_name(FeatureWord word, u32 bit);

// Where a group's descriptor sits in a descriptor table.
struct DescriptorLocation {
    u32 block;   // the table's first block + this block offset: absolute block number
    u32 offset;  // byte offset within that block
};

// The layout every other decoder needs, derived and checked once.
// All block numbers are absolute (block 0 is the device's first block).
struct Geometry {
    u32 block_size = 0;        // 1024, 2048 or 4096
    u32 block_size_log2 = 0;   // 10, 11 or 12
    u32 blocks_count = 0;      // blocks on the device
    u32 inodes_count = 0;      // inodes, numbered 1..inodes_count
    u32 first_data_block = 0;  // the superblock's block: 1 with 1 KiB blocks, else 0
    u32 blocks_per_group = 0;
    u32 inodes_per_group = 0;
    u32 group_count = 0;            // ceil((blocks_count - first_data_block) / blocks_per_group)
    u32 inode_size = 0;             // 128 .. block_size, a power of two
    u32 inodes_per_block = 0;       // block_size / inode_size
    u32 inode_table_blocks = 0;     // per group: ceil(inodes_per_group / inodes_per_block)
    u32 descriptor_blocks = 0;      // blocks of the group descriptor table
    u32 reserved_gdt_blocks = 0;    // reserved for growth, right after each table copy
    u32 first_inode = 0;            // first non-reserved inode (11)
    u32 pointers_per_block = 0;     // block_size / 4: entries of an indirect block
    // Features the decoders consult.
    bool filetype = false;      // directory records carry a file type
    bool large_file = false;    // regular files may be 2 GiB or larger
    bool huge_file = false;     // i_blocks has a high word (ro_compat, so read-only)
    bool sparse_super = false;  // superblock backups only in groups 0, 1 and powers of 3, 5, 7
    bool sparse_super2 = false;  // backups only in the (up to) two groups below
    u32 backup_groups[2] = {0, 0};  // s_backup_bgs with sparse_super2 (0: none)

    // First block of a group (its superblock copy if it has one).
    u32 group_first_block(u32 group) const;
    // Blocks in a group: blocks_per_group, except maybe the last group.
    u32 group_block_count(u32 group) const;
    // The group holding a block; VERIFYs first_data_block <= block < blocks_count.
    u32 group_of_block(u32 block) const;
    // Whether a group holds the superblock (group 0) or a backup of it and
    // of the descriptor table.
    bool group_has_superblock(u32 group) const;
    // Blocks at the start of a group taken by its superblock copy, descriptor
    // table copy and reserved descriptor blocks (0 for a group without a copy).
    u32 group_metadata_blocks(u32 group) const;
    // The primary descriptor table's first block (first_data_block + 1).
    u32 descriptor_table_block() const { return first_data_block + 1; }
    // Where group `group`'s descriptor is in the primary table (VERIFYs group < group_count).
    DescriptorLocation descriptor_location(u32 group) const;
    // A block number a file or directory may point at: above the primary
    // superblock's block and below blocks_count.
    bool is_data_block(u32 block) const { return block > first_data_block && block < blocks_count; }
};

struct Superblock {
    Geometry geometry;

    // Counts (also in geometry: blocks_count, inodes_count, ...).
    u32 reserved_blocks_count = 0;  // only root may use these
    u32 free_blocks_count = 0;
    u32 free_inodes_count = 0;
    // State and maintenance.
    u32 mount_time = 0;  // seconds since 1970 (s_mtime)
    u32 write_time = 0;  // s_wtime
    u16 mount_count = 0;
    i16 max_mount_count = 0;  // -1: no mount-count check
    u16 state = 0;            // kState* bits
    u16 errors = 0;           // what to do on errors: 1 continue, 2 remount read-only, 3 panic
    u16 minor_revision = 0;
    u32 last_check_time = 0;
    u32 check_interval = 0;
    u32 creator_os = 0;  // 0 Linux, 1 Hurd, 2 Masix, 3 FreeBSD, 4 Lites
    u32 revision = 0;    // 0 or 1
    u16 default_reserved_uid = 0;
    u16 default_reserved_gid = 0;
    u16 block_group_number = 0;  // the group this copy is in (0 for the primary)
    // Features, as stored.
    u32 feature_compat = 0;
    u32 feature_incompat = 0;
    u32 feature_ro_compat = 0;
    // Identity.
    u8 uuid[16] = {};
    u8 volume_name[16] = {};   // not necessarily NUL-terminated: see volume_label()
    u8 last_mounted[64] = {};  // the directory it was last mounted on, same rule
    // Journal (ext3): an inode (journal_inode) or an external device.
    u8 journal_uuid[16] = {};
    u32 journal_inode = 0;
    u32 journal_device = 0;
    u32 last_orphan = 0;  // head of the orphan inode list being deleted
    u8 journal_backup_type = 0;
    // dir_index.
    u32 hash_seed[4] = {};
    u8 default_hash_version = 0;  // kHash*
    u32 flags = 0;                // kFlag* (signed or unsigned char hashing)
    u32 default_mount_options = 0;
    u32 first_meta_bg = 0;
    u32 mkfs_time = 0;

    // Derived by decode.
    bool needs_recovery = false;             // incompat recover: the journal must be replayed before use
    bool read_only = false;                  // a ro_compat feature this layer cannot write under
    const char* read_only_feature = nullptr;  // the first such feature's name

    bool has_journal() const { return feature_compat & kCompatHasJournal; }
    bool has_dir_index() const { return feature_compat & kCompatDirIndex; }
    // An ext3 journal on another device (journal_inode 0, journal_uuid names it).
    bool journal_is_external() const { return has_journal() && journal_inode == 0; }
    // The volume name up to its first NUL (at most 16 bytes); a view into this object.
    StringView volume_label() const;
};

// Decodes and checks the 1024 superblock bytes (not the device: the bytes
// at device offset kSuperblockOffset). Malformed or Unsupported on failure,
// with `fault` set (None on success); for UnsupportedIncompatFeature,
// `refused_feature` gets the first refused feature's name.
Result<Superblock> decode_superblock(ReadonlyBytes bytes, Ext2Fault* fault = nullptr,
                                     const char** refused_feature = nullptr);

// Writes the mutable fields of `sb` into `bytes` (VERIFYs at least 1024
// bytes): free block and inode counts, mount and write times, mount count,
// maximum mount count, state, errors behaviour, last check time, the three
// feature words and the orphan list head. Every other byte is kept.
void encode_superblock(const Superblock& sb, Bytes bytes);

}  // namespace mote::fs::ext2
