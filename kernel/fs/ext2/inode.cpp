#include "fs/ext2/inode.hpp"

#include "base/memory.hpp"
#include "fs/ext2/le_bytes.hpp"

namespace mote::fs::ext2 {

namespace {

// Field offsets in the 128-byte inode (struct ext2_inode, Linux osd2 layout;
// the Hurd keeps uid/gid high at the same place).
enum : usize {
    kMode = 0x00,
    kUidLow = 0x02,
    kSizeLow = 0x04,
    kAtime = 0x08,
    kCtime = 0x0C,
    kMtime = 0x10,
    kDtime = 0x14,
    kGidLow = 0x18,
    kLinksCount = 0x1A,
    kBlocksLow = 0x1C,
    kFlags = 0x20,
    kBlock = 0x28,  // 15 x u32
    kGeneration = 0x64,
    kFileAcl = 0x68,
    kSizeHigh = 0x6C,  // i_dir_acl for non-regular files
    kBlocksHigh = 0x74,
    kUidHigh = 0x78,
    kGidHigh = 0x7A,
};

Error fail(Ext2Fault* out, Ext2Fault fault, Error error = Error::Malformed) {
    if (out) *out = fault;
    return error;
}

// The bytes of the 15 block words, in disk order.
void block_bytes(const Inode& inode, u8 (&out)[kBlockSlots * 4]) {
    for (usize i = 0; i < kBlockSlots; ++i) store_le32(Bytes(out), 4 * i, inode.block[i]);
}

}  // namespace

DeviceNumber Inode::device() const {
    if (block[0] != 0) return {(block[0] >> 8) & 0xff, block[0] & 0xff};
    const u32 word = block[1];
    return {(word >> 8) & 0xfff, (word & 0xff) | ((word >> 12) & 0xfff00)};
}

void Inode::set_device(DeviceNumber device) {
    for (u32& word : block) word = 0;
    if (device.major < 256 && device.minor < 256) {
        block[0] = device.major << 8 | device.minor;
    } else {
        VERIFY(device.major < 4096 && device.minor < (1u << 20));
        block[1] = (device.minor & 0xff) | (device.major << 8) | ((device.minor & ~0xffu) << 12);
    }
}

usize Inode::fast_symlink_target(Bytes out) const {
    VERIFY(fast_symlink && size <= kFastSymlinkMax && out.size() >= size);
    u8 bytes[kBlockSlots * 4];
    block_bytes(*this, bytes);
    mem_copy(out.data(), bytes, usize(size));
    return usize(size);
}

void Inode::set_fast_symlink_target(StringView target) {
    VERIFY(!target.empty() && target.length() <= kFastSymlinkMax);
    u8 bytes[kBlockSlots * 4] = {};
    mem_copy(bytes, target.data(), target.length());
    for (usize i = 0; i < kBlockSlots; ++i) block[i] = load_le32(ReadonlyBytes(bytes), 4 * i);
    size = target.length();
    fast_symlink = true;
}

Result<InodeLocation> locate_inode(const Geometry& geometry, u32 number, Ext2Fault* fault) {
    if (fault) *fault = Ext2Fault::None;
    if (number == 0 || number > geometry.inodes_count) return fail(fault, Ext2Fault::BadInodeNumber, Error::OutOfRange);
    InodeLocation location;
    location.group = (number - 1) / geometry.inodes_per_group;
    location.index = (number - 1) % geometry.inodes_per_group;
    const u64 byte = u64(location.index) * geometry.inode_size;
    location.table_block = u32(byte / geometry.block_size);
    location.offset = u32(byte % geometry.block_size);
    return location;
}

Inode load_inode(const Geometry& geometry, ReadonlyBytes bytes) {
    VERIFY(bytes.size() >= kGoodOldInodeSize);
    Inode inode;
    inode.mode = load_le16(bytes, kMode);
    inode.links_count = load_le16(bytes, kLinksCount);
    inode.dtime = load_le32(bytes, kDtime);
    inode.type = file_type_of_mode(inode.mode);
    inode.uid = u32(load_le16(bytes, kUidLow)) | u32(load_le16(bytes, kUidHigh)) << 16;
    inode.gid = u32(load_le16(bytes, kGidLow)) | u32(load_le16(bytes, kGidHigh)) << 16;
    inode.atime = load_le32(bytes, kAtime);
    inode.ctime = load_le32(bytes, kCtime);
    inode.mtime = load_le32(bytes, kMtime);
    inode.flags = load_le32(bytes, kFlags);
    for (usize i = 0; i < kBlockSlots; ++i) inode.block[i] = load_le32(bytes, kBlock + 4 * i);
    inode.generation = load_le32(bytes, kGeneration);
    inode.file_acl = load_le32(bytes, kFileAcl);

    const u32 size_high = load_le32(bytes, kSizeHigh);
    inode.size = load_le32(bytes, kSizeLow);
    if (inode.type == FileType::Regular) inode.size |= u64(size_high) << 32;
    else inode.dir_acl = size_high;

    // i_blocks: 512-byte sectors; with huge_file a 48-bit count, in file
    // blocks for an inode flagged HUGE_FILE.
    inode.sectors = load_le32(bytes, kBlocksLow);
    if (geometry.huge_file) {
        inode.sectors |= u64(load_le16(bytes, kBlocksHigh)) << 32;
        if (inode.flags & kInodeFlagHugeFile) inode.sectors *= geometry.block_size / 512;
    }
    // Linux's ext2 rule: a symlink with no blocks besides its xattr block
    // keeps its target in i_block.
    if (inode.type == FileType::Symlink) {
        const u64 acl_sectors = inode.file_acl ? geometry.block_size / 512 : 0;
        inode.fast_symlink = inode.sectors == acl_sectors;
    }
    return inode;
}

Result<Inode> decode_inode(const Geometry& geometry, ReadonlyBytes bytes, Ext2Fault* fault) {
    if (fault) *fault = Ext2Fault::None;
    if (bytes.size() < geometry.inode_size || bytes.size() < kGoodOldInodeSize)
        return fail(fault, Ext2Fault::InodeTruncated);

    const Inode inode = load_inode(geometry, bytes);
    // Linux's rule for an inode that must not be used: no links and either
    // never used (mode 0) or deleted (a deletion time).
    if (inode.links_count == 0 && (inode.mode == 0 || inode.dtime != 0)) return fail(fault, Ext2Fault::InodeNotInUse);
    if (inode.type == FileType::Unknown) return fail(fault, Ext2Fault::BadFileType);

    // These flags say the block array is not a block map at all.
    if (inode.flags & kInodeFlagExtents) return fail(fault, Ext2Fault::ExtentsUnsupported, Error::Unsupported);
    if (inode.flags & kInodeFlagInlineData) return fail(fault, Ext2Fault::InlineDataUnsupported, Error::Unsupported);

    if (inode.file_acl != 0 && !geometry.is_data_block(inode.file_acl))
        return fail(fault, Ext2Fault::FileAclOutOfRange);

    if (inode.type == FileType::Symlink) {
        if (inode.size == 0) return fail(fault, Ext2Fault::BadSymlinkSize);
        if (inode.fast_symlink) {
            if (inode.size > kFastSymlinkMax) return fail(fault, Ext2Fault::BadSymlinkSize);
            // The target is `size` bytes without a NUL among them.
            for (usize i = 0; i < inode.size; ++i)
                if (load_u8(bytes, kBlock + i) == 0) return fail(fault, Ext2Fault::BadSymlinkSize);
        } else if (inode.size >= geometry.block_size) {
            // A slow symlink's target (and its NUL) fills at most one block.
            return fail(fault, Ext2Fault::BadSymlinkSize);
        }
    }
    if (inode.type == FileType::Directory && (inode.size == 0 || inode.size % geometry.block_size != 0))
        return fail(fault, Ext2Fault::BadDirectorySize);
    if (inode.type == FileType::Regular && inode.size > addressable_size(geometry.block_size))
        return fail(fault, Ext2Fault::FileTooLarge);

    if (inode.has_block_map()) {
        for (u32 pointer : inode.block)
            if (pointer != 0 && !geometry.is_data_block(pointer)) return fail(fault, Ext2Fault::BlockPointerOutOfRange);
    }
    return inode;
}

void encode_inode(const Geometry& geometry, const Inode& inode, Bytes bytes) {
    VERIFY(bytes.size() >= kGoodOldInodeSize);
    store_le16(bytes, kMode, inode.mode);
    store_le16(bytes, kUidLow, u16(inode.uid));
    store_le16(bytes, kUidHigh, u16(inode.uid >> 16));
    store_le16(bytes, kGidLow, u16(inode.gid));
    store_le16(bytes, kGidHigh, u16(inode.gid >> 16));
    store_le32(bytes, kSizeLow, u32(inode.size));
    store_le32(bytes, kSizeHigh, inode.type == FileType::Regular ? u32(inode.size >> 32) : inode.dir_acl);
    store_le32(bytes, kAtime, inode.atime);
    store_le32(bytes, kCtime, inode.ctime);
    store_le32(bytes, kMtime, inode.mtime);
    store_le32(bytes, kDtime, inode.dtime);
    store_le16(bytes, kLinksCount, inode.links_count);
    u64 stored = inode.sectors;
    if (geometry.huge_file) {
        if (inode.flags & kInodeFlagHugeFile) stored /= geometry.block_size / 512;
        VERIFY(stored < (u64(1) << 48));
        store_le16(bytes, kBlocksHigh, u16(stored >> 32));
    } else {
        VERIFY(stored <= 0xffffffffu);
    }
    store_le32(bytes, kBlocksLow, u32(stored));
    store_le32(bytes, kFlags, inode.flags);
    for (usize i = 0; i < kBlockSlots; ++i) store_le32(bytes, kBlock + 4 * i, inode.block[i]);
    store_le32(bytes, kGeneration, inode.generation);
    store_le32(bytes, kFileAcl, inode.file_acl);
}

}  // namespace mote::fs::ext2
