// An ext2 on-disk inode: a file's type, owner, size, times, link count and
// block map.
//
// Inodes are numbered from 1; inode n sits at index (n - 1) % inodes_per_group
// of group (n - 1) / inodes_per_group's inode table, inode_size bytes each
// (locate_inode()). The first 128 bytes are the classic ext2 inode; larger
// inodes (256 bytes by default) carry ext4 extras that this layer neither
// reads nor disturbs: encode_inode() writes only the fields it models, so
// the rest of the caller's buffer stays as read.
//
// decode_inode() refuses what the ext2 driver must not interpret: extent
// trees (EXTENTS_FL) and inline data (INLINE_DATA_FL), with named faults;
// it checks every block pointer of a file, a directory or a slow symlink
// (0 = hole, else a data block of the device), the size against the type,
// and tells a fast symlink (target in i_block) from a slow one the way
// Linux's ext2 does: no blocks counted besides an extended-attribute block.
#pragma once

#include "base/result.hpp"
#include "base/span.hpp"
#include "fs/ext2/block_map.hpp"
#include "fs/ext2/ext2_fault.hpp"
#include "fs/ext2/file_type.hpp"
#include "fs/ext2/superblock.hpp"

namespace mote::fs::ext2 {

inline constexpr u32 kRootInode = 2;
inline constexpr u32 kBadBlocksInode = 1;
inline constexpr u32 kResizeInode = 7;
inline constexpr u32 kJournalInode = 8;
// A fast symlink's target lives in the 60 bytes of i_block; Linux stores it
// there when it is shorter than that (it keeps a NUL after it).
inline constexpr u32 kFastSymlinkMax = 59;

// i_flags bits.
inline constexpr u32 kInodeFlagSecureDelete = 0x00000001;
inline constexpr u32 kInodeFlagSync = 0x00000008;
inline constexpr u32 kInodeFlagImmutable = 0x00000010;
inline constexpr u32 kInodeFlagAppend = 0x00000020;
inline constexpr u32 kInodeFlagNoDump = 0x00000040;
inline constexpr u32 kInodeFlagNoAtime = 0x00000080;
inline constexpr u32 kInodeFlagIndex = 0x00001000;  // a dir_index (htree) directory
inline constexpr u32 kInodeFlagHugeFile = 0x00040000;  // i_blocks counts file blocks, not sectors
inline constexpr u32 kInodeFlagExtents = 0x00080000;
inline constexpr u32 kInodeFlagInlineData = 0x10000000;

struct DeviceNumber {
    u32 major = 0;
    u32 minor = 0;
};

struct Inode {
    u16 mode = 0;  // type bits and permissions, as stored
    FileType type = FileType::Unknown;  // from the mode; never Unknown after decode
    u32 uid = 0;   // low 16 bits | high 16 bits (osd2)
    u32 gid = 0;
    u64 size = 0;  // bytes; the high word only for regular files
    u32 atime = 0;  // seconds since 1970
    u32 ctime = 0;
    u32 mtime = 0;
    u32 dtime = 0;  // deletion time (an ext3 orphan's next-orphan link)
    u16 links_count = 0;
    u64 sectors = 0;  // 512-byte sectors allocated: data, indirect and xattr blocks
    u32 flags = 0;    // kInodeFlag*
    u32 block[kBlockSlots] = {};  // the block map; or a fast symlink's target bytes; or a device number
    u32 generation = 0;
    u32 file_acl = 0;  // the extended-attribute block, 0 if none
    u32 dir_acl = 0;   // for all but regular files, the word that is i_size_high for a regular file
    bool fast_symlink = false;  // a symlink whose target is stored in `block`

    u16 permissions() const { return mode & 07777; }
    bool has_index() const { return flags & kInodeFlagIndex; }
    // Whether `block` is a block map (regular files, directories, slow symlinks).
    bool has_block_map() const {
        return type == FileType::Regular || type == FileType::Directory || (type == FileType::Symlink && !fast_symlink);
    }
    // A character or block device's number: Linux's old 8:8 encoding in
    // block[0] if non-zero, else the new 12:20 encoding in block[1].
    DeviceNumber device() const;
    void set_device(DeviceNumber device);
    // Copies a fast symlink's target (size bytes) into `out` and returns its
    // length; VERIFYs fast_symlink and room.
    usize fast_symlink_target(Bytes out) const;
    // Makes this a fast symlink to `target` (1..kFastSymlinkMax bytes:
    // VERIFY): the bytes go into `block` (zero-padded), size and
    // fast_symlink follow. The caller sets the mode.
    void set_fast_symlink_target(StringView target);
};

// Where an inode is.
struct InodeLocation {
    u32 group = 0;        // block group
    u32 index = 0;        // index in the group's inode table
    u32 table_block = 0;  // block within the inode table (add GroupDescriptor::inode_table)
    u32 offset = 0;       // byte offset of the inode within that block
};

// Locates inode `number`: Error::OutOfRange and BadInodeNumber for 0 or a
// number above inodes_count.
Result<InodeLocation> locate_inode(const Geometry& geometry, u32 number, Ext2Fault* fault = nullptr);

// Decodes and checks an inode from its inode_size bytes (more are ignored).
// A free inode (no links, and no mode or a deletion time) is InodeNotInUse.
// Malformed, or Unsupported for ExtentsUnsupported / InlineDataUnsupported.
Result<Inode> decode_inode(const Geometry& geometry, ReadonlyBytes bytes, Ext2Fault* fault = nullptr);

// Reads every modelled field of an inode's bytes (VERIFYs at least 128)
// without judging any of them: the type may be Unknown, pointers out of
// range, the size anything. For a checker that must see a corrupt inode
// to repair it; everyone else uses decode_inode(), which is this plus the
// checks.
Inode load_inode(const Geometry& geometry, ReadonlyBytes bytes);

// Writes the modelled fields of `inode` into its on-disk bytes (VERIFYs at
// least 128): mode, uid, gid, size (the high word for regular files,
// dir_acl otherwise), the four times, links, sectors (its high word only
// with huge_file), flags, the 15 block words, generation and file_acl.
// Everything else (osd1, the fragment words, the other osd2 fields, the
// bytes past 128) is kept. Sizes of 2 GiB and more need the large_file
// feature: setting it is the caller's job.
void encode_inode(const Geometry& geometry, const Inode& inode, Bytes bytes);

}  // namespace mote::fs::ext2
